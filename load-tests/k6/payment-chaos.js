// 30% of payments fail: FAILED orders (201), their stock given back.
// Its load and chaos plan: load-tests/experiments/payment-chaos.json, the file the experiment runner reads.
import { experimentOptions, placeOrder, prepareFor, switchScheduledFault, userOf, verify } from './lib.js'

const experiment = JSON.parse(open('../experiments/payment-chaos.json'))
export const options = experimentOptions(experiment, {
  thresholds: { checks: ['rate>0.99'], 'http_req_duration{name:POST /orders}': ['p(95)<2000'] },
})
export const setup = () => prepareFor('payment-chaos', experiment)
export default (data) => placeOrder(data, userOf(data))
export const fault = () => switchScheduledFault(experiment)
export const teardown = (data) => verify(data)
