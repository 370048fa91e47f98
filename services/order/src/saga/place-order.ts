import { AppError, badRequest, conflict, gatewayTimeout, serviceUnavailable, unprocessable } from '@food/errors'
import { POSTGRES_INT_MAX } from '@food/postgres'
import { trace } from '@opentelemetry/api'
import type { FastifyBaseLogger } from 'fastify'
import type { RestaurantClient, StockAnswer } from '../clients/restaurant-client.ts'
import type { Caller } from '../clients/user-client.ts'
import { DuplicateIdempotencyKeyError, type OrderRepository } from '../db/order-repository.ts'
import { decideRepeat, requestHash } from '../domain/idempotency.ts'
import { type FailureReason, type OrderLine, type OrderRecord, totalPrice } from '../domain/order.ts'
import type { OrderTransitions } from './order-transitions.ts'
import type { SagaStep } from './saga-step.ts'
import type { StockRelease } from './stock-release.ts'

export interface PlaceOrderInput {
  lines: OrderLine[]
  address: string
  phone: string
  idempotencyKey: string | null
}

export interface PlaceOrderOptions {
  orders: OrderRepository
  restaurant: RestaurantClient
  transitions: OrderTransitions
  release: StockRelease
  /** The simulated payment (chaos `payment_fail` decides how often it fails). */
  paymentFails: () => boolean
  step: SagaStep
  log: FastifyBaseLogger
}

type ReserveResult = PromiseSettledResult<StockAnswer>

/**
 * The order saga, after the caller's token was validated (which touches nothing):
 * 1. prices from the restaurant service; 2. the order stored PENDING with its items;
 * 3. stock reserved for every item; 4. payment; 5. CONFIRMED, or FAILED with every unit given back.
 * Each step is recorded on the order, so the recoverer can finish what a crash interrupted.
 */
export class PlaceOrder {
  readonly #options: PlaceOrderOptions

  constructor(options: PlaceOrderOptions) {
    this.#options = options
  }

  async run(caller: Caller, input: PlaceOrderInput): Promise<{ order: OrderRecord; replayed: boolean }> {
    const { orders } = this.#options
    const hash = input.idempotencyKey ? requestHash(input) : null
    if (input.idempotencyKey && hash) {
      const existing = await orders.findByIdempotencyKey(caller.userId, input.idempotencyKey)
      if (existing) {
        const replay = await this.#repeat(existing, hash)
        if (replay) return { order: replay, replayed: true }
      }
    }
    const { step } = this.#options
    const items = await step('price', { 'order.items': input.lines.length }, () => this.#price(input.lines))
    let order: OrderRecord
    try {
      order = await step('store', {}, async (span) => {
        const stored = await orders.create({
          userId: caller.userId,
          address: input.address,
          phone: input.phone,
          idempotencyKey: input.idempotencyKey,
          requestHash: hash,
          items,
          totalPrice: totalPrice(items),
        })
        span.setAttribute('order.id', stored.id)
        return stored
      })
    } catch (error) {
      if (!(error instanceof DuplicateIdempotencyKeyError) || !input.idempotencyKey || !hash) throw error
      // A concurrent request with the same key stored it first: it is still running (409), or
      // it finished meanwhile and is answered as any repeat.
      const existing = await orders.findByIdempotencyKey(caller.userId, input.idempotencyKey)
      const replay = existing ? await this.#repeat(existing, hash) : undefined
      if (!replay)
        throw conflict(
          'IDEMPOTENCY_KEY_IN_USE',
          'A request with this Idempotency-Key is being retried at once; try again',
        )
      return { order: replay, replayed: true }
    }
    const placed = await this.#reserveAndPay(order)
    return { order: placed, replayed: false }
  }

  /**
   * A repeat of an earlier request under the same Idempotency-Key: the order to answer with, or
   * undefined when the request is to be placed anew (its earlier attempt failed and let go of the key).
   */
  async #repeat(existing: OrderRecord, hash: string): Promise<OrderRecord | undefined> {
    switch (decideRepeat(existing, hash)) {
      case 'replay':
        return existing
      case 'mismatch':
        throw unprocessable('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with another request', {
          order_id: existing.id,
        })
      case 'in_progress':
        throw conflict(
          'IDEMPOTENCY_KEY_IN_USE',
          'A request with this Idempotency-Key is still running; try again shortly',
          {
            order_id: existing.id,
          },
        )
      case 'retry':
        // If another retry took the key first, this one meets it as a duplicate when storing.
        await this.#options.orders.releaseIdempotencyKey(existing.id)
        return undefined
    }
  }

  async #price(lines: OrderLine[]) {
    const menus = await Promise.all(lines.map((line) => this.#options.restaurant.menu(line.menuId)))
    const unknown = lines.filter((_, i) => menus[i] === undefined).map((line) => line.menuId)
    if (unknown.length > 0) {
      throw badRequest('UNKNOWN_MENU', `No menu with id ${unknown.join(', ')}`, { menu_ids: unknown })
    }
    const items = lines.map((line, i) => {
      const menu = menus[i] as NonNullable<(typeof menus)[number]>
      return { menuId: line.menuId, quantity: line.quantity, price: menu.price, name: menu.name }
    })
    const total = totalPrice(items)
    if (total > POSTGRES_INT_MAX) {
      throw badRequest(
        'ORDER_TOTAL_TOO_LARGE',
        `The order totals ${total} won; one order takes at most ${POSTGRES_INT_MAX}`,
        {
          total_price: total,
          max_total_price: POSTGRES_INT_MAX,
        },
      )
    }
    return items
  }

  async #reserveAndPay(order: OrderRecord): Promise<OrderRecord> {
    const { restaurant, transitions, paymentFails, step } = this.#options
    const attributes = { 'order.id': order.id }
    const results = await step('reserve_stock', attributes, async (span) => {
      const settled = await Promise.allSettled(
        order.items.map((item) => restaurant.changeStock(item.menuId, order.id, item.quantity, 'reserve')),
      )
      span.setAttribute(
        'order.reserved_all',
        settled.every((result) => result.status === 'fulfilled' && result.value.ok),
      )
      return settled
    })
    if (!results.every((result) => result.status === 'fulfilled' && result.value.ok)) {
      const failure = reserveFailure(order.id, results)
      await this.#fail(order, failure.reason, 'skipped')
      throw failure.error
    }
    const reserved = await transitions.move(order.id, 'reserved')
    if (!reserved) return this.#current(order.id)

    const paid = await step('payment', attributes, async (span) => {
      const outcome = !paymentFails()
      span.setAttribute('order.payment', outcome ? 'paid' : 'failed')
      return outcome
    })
    if (!paid) {
      // Still 201: the order exists and says why it failed (the original sample's contract).
      return (await this.#fail(reserved, 'payment_failed', 'failed')) ?? this.#current(order.id)
    }
    const confirmed = await transitions.move(order.id, 'confirmed')
    return confirmed ?? this.#current(order.id)
  }

  /** FAILED, then every unit given back (or left to the recoverer if the restaurant cannot take it now). */
  async #fail(order: OrderRecord, reason: FailureReason, paymentStatus: 'skipped' | 'failed') {
    const failed = await this.#options.transitions.move(order.id, 'failed', { paymentStatus, failureReason: reason })
    if (!failed) return undefined
    this.#options.log.info({ order_id: order.id, reason }, 'order failed, giving its stock back')
    trace.getActiveSpan()?.setAttributes({ 'order.failure_reason': reason })
    await this.#options.release.giveBack(failed)
    return this.#current(order.id)
  }

  async #current(id: number): Promise<OrderRecord> {
    const order = await this.#options.orders.findById(id)
    if (!order) throw new Error(`order ${id} vanished`)
    return order
  }
}

/** Why the reservation failed, and what the caller is told. */
function reserveFailure(orderId: number, results: ReserveResult[]): { reason: FailureReason; error: AppError } {
  for (const result of results) {
    if (result.status === 'fulfilled' && !result.value.ok && result.value.code === 'INSUFFICIENT_STOCK') {
      return {
        reason: 'out_of_stock',
        error: conflict('OUT_OF_STOCK', result.value.message, { order_id: orderId, ...result.value.details }),
      }
    }
  }
  for (const result of results) {
    // Another refusal (the reservation was voided or holds another quantity) is the restaurant's
    // considered answer, not an outage: a conflict, said as such.
    if (result.status === 'fulfilled' && !result.value.ok && result.value.statusCode < 500) {
      return {
        reason: 'inventory_refused',
        error: conflict('STOCK_REFUSED', `The restaurant refused the reservation: ${result.value.message}`, {
          order_id: orderId,
          refusal: result.value.code,
        }),
      }
    }
  }
  const details = { order_id: orderId, dependency: 'restaurant' }
  const timedOut = results.some(
    (result) => result.status === 'rejected' && result.reason instanceof AppError && result.reason.statusCode === 504,
  )
  return {
    reason: 'inventory_unavailable',
    error: timedOut
      ? gatewayTimeout('DEPENDENCY_TIMEOUT', 'The restaurant service did not answer in time; the order failed', details)
      : serviceUnavailable(
          'DEPENDENCY_UNAVAILABLE',
          'The restaurant service could not reserve the stock; the order failed',
          details,
        ),
  }
}
