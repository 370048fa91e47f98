// Many users, one menu with 50 in stock: exactly 50 sold, never below zero.
// Its load and chaos plan: load-tests/experiments/concurrent-orders.json, the file the experiment runner reads.
import { experimentOptions, placeOrder, prepareFor, userOf, verify } from './lib.js'

const experiment = JSON.parse(open('../experiments/concurrent-orders.json'))
export const options = experimentOptions(experiment, { thresholds: { checks: ['rate>0.99'] } })
export const setup = () => prepareFor('concurrent-orders', experiment)
export default (data) => placeOrder(data, userOf(data))
export const teardown = (data) => verify(data)
