/** What the bench's same-work ceiling composes of this service in one process (bench/src/order-ceiling.ts). */
export { OrderCache } from './cache/order-cache.ts'
export { OrderRepository } from './db/order-repository.ts'
export { totalPrice } from './domain/order.ts'
export { createSagaInstruments } from './saga/instruments.ts'
export { OrderTransitions } from './saga/order-transitions.ts'
