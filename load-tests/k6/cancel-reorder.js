// Order, read, cancel, order again: every cancel gives its stock back once.
// Its load and chaos plan: load-tests/experiments/cancel-reorder.json, the file the experiment runner reads.
import http from 'k6/http'
import { auth, experimentOptions, placeOrder, prepareFor, URLS, userOf, verify } from './lib.js'

const experiment = JSON.parse(open('../experiments/cancel-reorder.json'))
export const options = experimentOptions(experiment)
export const setup = () => prepareFor('cancel-reorder', experiment)
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
