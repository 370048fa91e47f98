import { conflict, notFound } from '@food/errors'
import type { Caller } from '../clients/user-client.ts'
import type { OrderRepository } from '../db/order-repository.ts'
import type { OrderRecord } from '../domain/order.ts'
import type { OrderTransitions } from './order-transitions.ts'
import type { StockRelease } from './stock-release.ts'

/**
 * CONFIRMED → CANCELLED, with the stock given back exactly once: the compare-and-set lets one
 * of several concurrent cancels through, and the restaurant's restores are idempotent anyway.
 */
export class CancelOrder {
  readonly #orders: OrderRepository
  readonly #transitions: OrderTransitions
  readonly #release: StockRelease

  constructor(orders: OrderRepository, transitions: OrderTransitions, release: StockRelease) {
    this.#orders = orders
    this.#transitions = transitions
    this.#release = release
  }

  async run(caller: Caller, orderId: number): Promise<OrderRecord> {
    const cancelled = await this.#transitions.move(orderId, 'cancelled', { userId: caller.userId })
    if (!cancelled) {
      const order = await this.#orders.findById(orderId)
      // Someone else's order is answered as missing: its existence is not the caller's business.
      if (!order || order.userId !== caller.userId) throw notFound('ORDER_NOT_FOUND', `No order ${orderId}`)
      throw conflict(
        'ORDER_NOT_CANCELLABLE',
        `Order ${orderId} is ${order.status}; only a CONFIRMED order can be cancelled`,
        {
          status: order.status,
        },
      )
    }
    await this.#release.giveBack(cancelled)
    return (await this.#orders.findById(orderId)) ?? cancelled
  }
}
