// Many users, one menu with 50 in stock: exactly 50 sold, never below zero.
import { placeOrder, prepare, userOf, verify } from './lib.js'

export const options = {
  scenarios: { rush: { executor: 'shared-iterations', vus: 50, iterations: 200, maxDuration: '60s' } },
  thresholds: { checks: ['rate>0.99'] },
}
export const setup = () => prepare('concurrent-orders', 50, 50)
export default (data) => placeOrder(data, userOf(data))
export const teardown = (data) => verify(data)
