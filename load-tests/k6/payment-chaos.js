// 30% of payments fail: FAILED orders (201), their stock given back.
import { placeOrder, prepare, setChaos, userOf, verify } from './lib.js'

export const options = {
  scenarios: { orders: { executor: 'constant-vus', vus: 20, duration: '30s' } },
  thresholds: { checks: ['rate>0.99'], 'http_req_duration{name:POST /orders}': ['p(95)<2000'] },
}
export function setup() {
  const data = prepare('payment-chaos', 100000, 20)
  setChaos('order', 'payment_fail', { fail_percent: 30 }, 120)
  return data
}
export default (data) => placeOrder(data, userOf(data))
export const teardown = (data) => verify(data)
