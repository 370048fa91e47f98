// User service 2 s slow, then stock changes 3 s slow: orders fail fast (504), nothing hangs.
import { placeOrder, prepare, setChaos, userOf, verify } from './lib.js'

export const options = {
  scenarios: {
    orders: { executor: 'constant-vus', vus: 10, duration: '40s' },
    userDelay: { executor: 'shared-iterations', vus: 1, iterations: 1, startTime: '5s', exec: 'slowUser' },
    stockDelay: { executor: 'shared-iterations', vus: 1, iterations: 1, startTime: '20s', exec: 'slowStock' },
  },
  thresholds: { 'http_req_duration{name:POST /orders}': ['max<10000'] },
}
export const setup = () => prepare('latency', 100000, 10)
export default (data) => placeOrder(data, userOf(data))
export const slowUser = () => setChaos('user', 'delay', { delay_ms: 2000 }, 12)
export const slowStock = () => setChaos('restaurant', 'inventory_delay', { delay_ms: 3000 }, 12)
export const teardown = (data) => verify(data)
