// signup → login → menus → order → status → cancel, across the three services.
import http from 'k6/http'
import { auth, createUser, placeOrder, prepare, URLS, verify } from './lib.js'

export const options = { scenarios: { flow: { executor: 'constant-vus', vus: 5, duration: '30s' } } }
export const setup = () => prepare('full-flow', 100000, 1)
export default function (data) {
  const user = createUser('flow')
  http.get(`${URLS.restaurant}/menus`, { tags: { name: 'GET /menus' } })
  const placed = placeOrder(data, user, 1)
  if (placed.status !== 201) return
  http.get(`${URLS.order}/orders/${placed.json('id')}`, { ...auth(user.token), tags: { name: 'GET /orders/{id}' } })
  http.post(`${URLS.order}/orders/${placed.json('id')}/cancel`, null, {
    ...auth(user.token),
    tags: { name: 'POST /orders/{id}/cancel' },
  })
}
// The flow's own users are made per iteration; stock held by its orders is checked through the ledger.
export const teardown = (data) => verify(data)
