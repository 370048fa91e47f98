import { conflict, notFound } from '@food/errors'
import type { Caller } from '../clients/user-client.ts'
import type { OrderRepository } from '../db/order-repository.ts'
import type { OrderRecord } from '../domain/order.ts'
import type { OrderTransitions } from './order-transitions.ts'
import type { StockRelease } from './stock-release.ts'

/**
 * CONFIRMED → CANCELLED, with the stock given back exactly once: the compare-and-set lets one
 * of several concurrent cancels through, and the restaurant's restores are idempotent anyway.
 * A FAILED order is cancelled too, as the original sample does, and gives back nothing: its
 * failure's compensation already did (or the recoverer still does, by its stock status).
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
    // Twice: a PENDING order the saga settles between the two moves is cancellable the second time.
    const done = (await this.#attempt(caller, orderId)) ?? (await this.#attempt(caller, orderId))
    if (done) return done
    throw await this.#refusal(caller, orderId)
  }

  async #attempt(caller: Caller, orderId: number): Promise<OrderRecord | undefined> {
    const owner = { userId: caller.userId }
    const cancelled = await this.#transitions.move(orderId, 'cancelled', owner)
    if (cancelled) {
      await this.#release.giveBack(cancelled)
      return (await this.#orders.findById(orderId)) ?? cancelled
    }
    return (await this.#transitions.move(orderId, 'failedCancelled', owner)) ?? undefined
  }

  async #refusal(caller: Caller, orderId: number) {
    const order = await this.#orders.findById(orderId)
    // Someone else's order is answered as missing: its existence is not the caller's business.
    if (!order || order.userId !== caller.userId) return notFound('ORDER_NOT_FOUND', `No order ${orderId}`)
    return conflict(
      'ORDER_NOT_CANCELLABLE',
      `Order ${orderId} is ${order.status}; only a CONFIRMED or FAILED order can be cancelled`,
      { status: order.status },
    )
  }
}
