import type { OrderRecord, OrderStatus, PaymentStatus, StockStatus } from '../domain/order.ts'
import { Prisma } from './generated/client.ts'
import type { OrderPrismaClient } from './prisma-client.ts'

export interface NewOrder {
  userId: number
  address: string
  phone: string
  idempotencyKey: string | null
  requestHash: string | null
  totalPrice: number
  items: { menuId: number; quantity: number; price: number; name: string }[]
}

/** What a transition requires the order to be in; it applies only then (compare-and-set). */
export interface OrderState {
  status?: OrderStatus
  stockStatus?: StockStatus
  /** Owner check in the same statement: a transition asked by another user applies to nothing. */
  userId?: number
}

export interface OrderChange {
  status?: OrderStatus
  paymentStatus?: PaymentStatus
  stockStatus?: StockStatus
  failureReason?: string
  nextAttemptAt?: Date | null
  releaseAttempts?: number
}

export class DuplicateIdempotencyKeyError extends Error {}

const WITH_ITEMS = { items: { orderBy: { menuId: 'asc' } } } as const

export class OrderRepository {
  readonly #prisma: OrderPrismaClient

  constructor(prisma: OrderPrismaClient) {
    this.#prisma = prisma
  }

  /** Stores a PENDING order with its items in one statement: the saga's first record. */
  async create(order: NewOrder): Promise<OrderRecord> {
    try {
      return await this.#prisma.order.create({
        data: {
          userId: order.userId,
          status: 'PENDING',
          paymentStatus: 'pending',
          stockStatus: 'reserving',
          totalPrice: order.totalPrice,
          address: order.address,
          phone: order.phone,
          idempotencyKey: order.idempotencyKey,
          requestHash: order.requestHash,
          items: { create: order.items },
        },
        include: WITH_ITEMS,
      })
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new DuplicateIdempotencyKeyError()
      }
      throw error
    }
  }

  findById(id: number): Promise<OrderRecord | null> {
    return this.#prisma.order.findUnique({ where: { id }, include: WITH_ITEMS })
  }

  findByIdempotencyKey(userId: number, idempotencyKey: string): Promise<OrderRecord | null> {
    return this.#prisma.order.findUnique({
      where: { userId_idempotencyKey: { userId, idempotencyKey } },
      include: WITH_ITEMS,
    })
  }

  /**
   * Lets a FAILED order give up its Idempotency-Key, so that a retry of the request can place a
   * new order under it; false when the order is no longer FAILED or has no key.
   */
  async releaseIdempotencyKey(id: number): Promise<boolean> {
    const { count } = await this.#prisma.order.updateMany({
      where: { id, status: 'FAILED', idempotencyKey: { not: null } },
      data: { idempotencyKey: null },
    })
    return count === 1
  }

  async listByUser(userId: number, limit: number, offset: number): Promise<{ orders: OrderRecord[]; total: number }> {
    const [orders, total] = await Promise.all([
      this.#prisma.order.findMany({
        where: { userId },
        orderBy: { id: 'desc' },
        take: limit,
        skip: offset,
        include: WITH_ITEMS,
      }),
      this.#prisma.order.count({ where: { userId } }),
    ])
    return { orders, total }
  }

  /**
   * Moves the order from `from` to `change` if it is still in `from`; returns the order after the
   * change, or `undefined` when someone else (a cancel, the recoverer) moved it first.
   */
  async transition(id: number, from: OrderState, change: OrderChange): Promise<OrderRecord | undefined> {
    const { count } = await this.#prisma.order.updateMany({ where: { id, ...from }, data: change })
    if (count === 0) return undefined
    return (await this.findById(id)) ?? undefined
  }
}
