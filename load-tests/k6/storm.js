// Every fault at once: payment and restore failures, slow and failing dependencies.
import { placeOrder, prepare, setChaos, userOf, verify } from './lib.js'

export const options = {
  scenarios: { orders: { executor: 'constant-vus', vus: 20, duration: '40s' } },
  thresholds: { checks: ['rate>0.95'] },
}
export function setup() {
  const data = prepare('storm', 100000, 20)
  setChaos('order', 'payment_fail', { fail_percent: 30 }, 60)
  setChaos('order', 'restore_fail', { fail_percent: 30 }, 60)
  setChaos('user', 'delay', { delay_ms: 200 }, 60)
  setChaos('restaurant', 'inventory_delay', { delay_ms: 300 }, 30)
  setChaos('restaurant', 'error', { enable: true }, 10)
  return data
}
export default (data) => placeOrder(data, userOf(data))
export const teardown = (data) => verify(data, 90)
