// User service 2 s slow, then stock changes 3 s slow: orders fail fast (504), nothing hangs.
// Its load and chaos plan: load-tests/experiments/latency.json, the file the experiment runner reads.
import { experimentOptions, placeOrder, prepareFor, switchScheduledFault, userOf, verify } from './lib.js'

const experiment = JSON.parse(open('../experiments/latency.json'))
export const options = experimentOptions(experiment, {
  thresholds: { 'http_req_duration{name:POST /orders}': ['max<12000'] },
})
export const setup = () => prepareFor('latency', experiment)
export default (data) => placeOrder(data, userOf(data))
export const fault = () => switchScheduledFault(experiment)
export const teardown = (data) => verify(data)
