// signup → login → menus → order → status → cancel, across the three services.
// Its load and chaos plan: load-tests/experiments/full-flow.json, the file the experiment runner reads.
import http from 'k6/http'
import { auth, createUser, experimentOptions, placeOrder, prepareFor, URLS, verify } from './lib.js'

const experiment = JSON.parse(open('../experiments/full-flow.json'))
export const options = experimentOptions(experiment)
export const setup = () => prepareFor('full-flow', experiment)
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
