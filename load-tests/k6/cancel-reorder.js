// Order, read, cancel, order again: every cancel gives its stock back once.
import http from 'k6/http'
import { auth, placeOrder, prepare, URLS, userOf, verify } from './lib.js'

export const options = { scenarios: { loop: { executor: 'constant-vus', vus: 10, duration: '30s' } } }
export const setup = () => prepare('cancel-reorder', 100000, 10)
export default function (data) {
  const user = userOf(data)
  const placed = placeOrder(data, user, 2)
  if (placed.status !== 201) return
  const id = placed.json('id')
  http.get(`${URLS.order}/orders/${id}`, { ...auth(user.token), tags: { name: 'GET /orders/{id}' } })
  http.post(`${URLS.order}/orders/${id}/cancel`, null, {
    ...auth(user.token),
    tags: { name: 'POST /orders/{id}/cancel' },
  })
  placeOrder(data, user, 1)
}
export const teardown = (data) => verify(data)
