// Every fault at once: payment and restore failures, slow and failing dependencies.
// Its load and chaos plan: load-tests/experiments/storm.json, the file the experiment runner reads.
import { experimentOptions, placeOrder, prepareFor, switchScheduledFault, userOf, verify } from './lib.js'

const experiment = JSON.parse(open('../experiments/storm.json'))
export const options = experimentOptions(experiment, { thresholds: { checks: ['rate>0.95'] } })
export const setup = () => prepareFor('storm', experiment)
export default (data) => placeOrder(data, userOf(data))
export const fault = () => switchScheduledFault(experiment)
export const teardown = (data) => verify(data, 90)
