import type { CacheResult, JsonCache } from '@food/redis'
import type { OrderRepository } from '../db/order-repository.ts'
import { type OrderView, toOrderView } from '../domain/order.ts'

/** Orders by id, read through Redis; every status change invalidates the order's key. */
export class OrderCache {
  readonly #cache: JsonCache
  readonly #orders: OrderRepository

  constructor(cache: JsonCache, orders: OrderRepository) {
    this.#cache = cache
    this.#orders = orders
  }

  get(id: number): Promise<CacheResult<OrderView> | undefined> {
    return this.#cache.getOrLoad(`order:${id}`, async () => {
      const order = await this.#orders.findById(id)
      return order ? toOrderView(order) : undefined
    })
  }

  invalidate(id: number): Promise<void> {
    return this.#cache.invalidate(`order:${id}`)
  }
}
