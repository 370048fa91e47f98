// Repeated reads: MISS first, then HIT (see the X-Cache header counts).
// Its load and chaos plan: load-tests/experiments/cache-effect.json, the file the experiment runner reads.
import { check } from 'k6'
import http from 'k6/http'
import { Counter } from 'k6/metrics'
import { auth, experimentOptions, placeOrder, prepareFor, URLS, userOf, verify } from './lib.js'

const experiment = JSON.parse(open('../experiments/cache-effect.json'))
const hits = new Counter('cache_hits')
const misses = new Counter('cache_misses')
export const options = experimentOptions(experiment, { thresholds: { cache_hits: ['count>0'] } })
const count = (response) => (response.headers['X-Cache'] === 'HIT' ? hits : misses).add(1)
export const setup = () => prepareFor('cache-effect', experiment)
export default function (data) {
  const user = userOf(data)
  count(http.get(`${URLS.restaurant}/menus`, { tags: { name: 'GET /menus' } }))
  count(http.get(`${URLS.restaurant}/menus/${data.menuId}`, { tags: { name: 'GET /menus/{id}' } }))
  const placed = placeOrder(data, user, 1)
  for (let i = 0; i < 3 && placed.status === 201; i++) {
    const read = http.get(`${URLS.order}/orders/${placed.json('id')}`, {
      ...auth(user.token),
      tags: { name: 'GET /orders/{id}' },
    })
    check(read, { 'order read': (r) => r.status === 200 })
    count(read)
  }
}
export const teardown = (data) => verify(data)
