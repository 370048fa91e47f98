/**
 * The order's state machine.
 *
 *   PENDING ──all reserved, paid──▶ CONFIRMED ──cancel──▶ CANCELLED
 *      │                                                    ▲
 *      └──user/stock/payment failure, or abandoned──▶ FAILED ──cancel──┘ (nothing given back)
 *
 * Beside the status, `stock_status` says what the order holds of the restaurant's stock:
 * reserving → reserved → kept (CONFIRMED), or → releasing → released (FAILED, CANCELLED).
 * `release_refused` is the exception an operator must look at: the restaurant refused to take
 * the units back (it holds another quantity for this order), so they are not recorded as given back.
 * An order is settled when it is CONFIRMED and kept, or FAILED/CANCELLED and released.
 * Each set is defined once here; the types and the API's schemas are derived from it.
 */
import { type Static, Type } from '@sinclair/typebox'

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'FAILED', 'CANCELLED'] as const
export const PAYMENT_STATUSES = ['pending', 'paid', 'failed', 'skipped', 'refunded'] as const
export const STOCK_STATUSES = ['reserving', 'reserved', 'kept', 'releasing', 'released', 'release_refused'] as const
const FAILURE_REASONS = [
  'out_of_stock',
  'inventory_unavailable',
  'inventory_refused',
  'payment_failed',
  'abandoned',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]
export type StockStatus = (typeof STOCK_STATUSES)[number]
export type FailureReason = (typeof FAILURE_REASONS)[number]

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
  failureReason?: FailureReason
  nextAttemptAt?: Date | null
  releaseAttempts?: number
}

/**
 * Every move of an order, by name: the state it must be in, and what it becomes. The saga calls
 * them by name (`transitions.move(id, 'confirmed')`); what a move needs beside (the reason of a
 * failure, the owner of a cancel, the next try of a deferred release) is `TransitionExtras`.
 */
export const ORDER_TRANSITIONS = {
  /** Every unit held by the restaurant. */
  reserved: { from: { status: 'PENDING', stockStatus: 'reserving' }, to: { stockStatus: 'reserved' } },
  /** Paid: the units are the order's. */
  confirmed: {
    from: { status: 'PENDING', stockStatus: 'reserved' },
    to: { status: 'CONFIRMED', paymentStatus: 'paid', stockStatus: 'kept' },
  },
  /** A user, stock or payment failure: whatever is held goes back. */
  failed: { from: { status: 'PENDING' }, to: { status: 'FAILED', stockStatus: 'releasing' } },
  /** Cancelled by its owner: refunded, the units go back. */
  cancelled: {
    from: { status: 'CONFIRMED' },
    to: { status: 'CANCELLED', paymentStatus: 'refunded', stockStatus: 'releasing' },
  },
  /**
   * A FAILED order cancelled by its owner, as the original sample allows: its stock is already
   * on its way back (the failure's compensation), so the stock status is left to that release.
   */
  failedCancelled: { from: { status: 'FAILED' }, to: { status: 'CANCELLED' } },
  /** Every unit given back. */
  released: { from: { stockStatus: 'releasing' }, to: { stockStatus: 'released', nextAttemptAt: null } },
  /** The restaurant refused to take them back: an operator must look (see above). */
  releaseRefused: { from: { stockStatus: 'releasing' }, to: { stockStatus: 'release_refused', nextAttemptAt: null } },
  /** Some units not back yet: the recoverer tries again later. */
  releaseDeferred: { from: { stockStatus: 'releasing' }, to: {} },
} as const satisfies Record<string, { from: OrderState; to: OrderChange }>

export type TransitionName = keyof typeof ORDER_TRANSITIONS

/** What a move needs beside its table entry. */
export interface TransitionExtras {
  failed: { paymentStatus: 'skipped' | 'failed'; failureReason: FailureReason }
  cancelled: { userId: number }
  failedCancelled: { userId: number }
  releaseDeferred: { releaseAttempts: number; nextAttemptAt: Date }
}

/** A move's condition and change, its extras put where they belong (the owner in the condition). */
export function transitionOf<N extends TransitionName>(
  name: N,
  ...extras: N extends keyof TransitionExtras ? [TransitionExtras[N]] : []
): { from: OrderState; to: OrderChange } {
  const { from, to } = ORDER_TRANSITIONS[name] as { from: OrderState; to: OrderChange }
  const [extra] = extras as [Record<string, unknown> | undefined]
  if (!extra) return { from, to }
  const { userId, ...change } = extra
  return { from: userId === undefined ? from : { ...from, userId: userId as number }, to: { ...to, ...change } }
}

/** Each failure reason in words, for people (the web shop's orders table, the API's `failure_message`). */
const FAILURE_MESSAGES = {
  out_of_stock: 'Not enough stock left for a menu of the order',
  inventory_unavailable: 'The restaurant could not be reached to hold the stock',
  inventory_refused: 'The restaurant refused to hold the stock',
  payment_failed: 'The payment was declined',
  abandoned: 'The order was interrupted before it finished, and its stock was given back',
} as const satisfies Record<FailureReason, string>

/** The schema of one of the sets above (a union of its literals), for the API's documents. */
const oneOf = <T extends readonly string[]>(set: T, options: { description?: string } = {}) =>
  Type.Union(
    set.map((value: T[number]) => Type.Literal(value)),
    options,
  )

export interface OrderLine {
  menuId: number
  quantity: number
}

export interface OrderItemRecord extends OrderLine {
  id: number
  price: number
  name: string
}

/** An order as stored; the database's CHECK constraints hold its states to the sets above. */
export interface OrderRecord {
  id: number
  userId: number
  status: OrderStatus
  paymentStatus: PaymentStatus
  stockStatus: StockStatus
  failureReason: FailureReason | null
  totalPrice: number
  address: string
  phone: string
  releaseAttempts: number
  requestHash: string | null
  createdAt: Date
  updatedAt: Date
  items: OrderItemRecord[]
}

export const MAX_QUANTITY_PER_MENU = 99

/** One line per menu (quantities of repeated menus added up), in menu order. */
export function mergeLines(lines: OrderLine[]): OrderLine[] {
  const byMenu = new Map<number, number>()
  for (const { menuId, quantity } of lines) byMenu.set(menuId, (byMenu.get(menuId) ?? 0) + quantity)
  return [...byMenu.entries()].sort(([a], [b]) => a - b).map(([menuId, quantity]) => ({ menuId, quantity }))
}

export const totalPrice = (items: { price: number; quantity: number }[]) =>
  items.reduce((sum, item) => sum + item.price * item.quantity, 0)

/** An order as the API shows it. */
export const OrderView = Type.Object(
  {
    id: Type.Integer({ examples: [1] }),
    user_id: Type.Integer({ examples: [1] }),
    total_price: Type.Integer({ description: 'Korean won', examples: [18000] }),
    status: oneOf(ORDER_STATUSES, {
      description: 'PENDING → CONFIRMED → CANCELLED, or PENDING → FAILED (→ CANCELLED, nothing given back)',
    }),
    payment_status: oneOf(PAYMENT_STATUSES),
    stock_status: oneOf(STOCK_STATUSES, {
      description:
        'What the order holds of the restaurant’s stock; release_refused: the restaurant refused the units back (an operator must look)',
    }),
    failure_reason: Type.Union([oneOf(FAILURE_REASONS), Type.Null()]),
    failure_message: Type.Union([Type.String({ examples: [FAILURE_MESSAGES.payment_failed] }), Type.Null()], {
      description: 'The failure reason in words, for people; null when the order did not fail',
    }),
    address: Type.String({ examples: ['서울 강남구 테헤란로 1'] }),
    phone: Type.String({ examples: ['010-1234-5678'] }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    items: Type.Array(
      Type.Object({
        id: Type.Integer(),
        menu_id: Type.Integer({ examples: [1] }),
        quantity: Type.Integer({ examples: [2] }),
        price: Type.Integer({ description: 'Unit price at order time, Korean won', examples: [9000] }),
        name: Type.String({ examples: ['김치찌개'] }),
      }),
    ),
  },
  { $id: 'Order', title: 'Order' },
)
export type OrderView = Static<typeof OrderView>

export const toOrderView = (order: OrderRecord): OrderView => ({
  id: order.id,
  user_id: order.userId,
  total_price: order.totalPrice,
  status: order.status,
  payment_status: order.paymentStatus,
  stock_status: order.stockStatus,
  failure_reason: order.failureReason,
  failure_message: order.failureReason && FAILURE_MESSAGES[order.failureReason],
  address: order.address,
  phone: order.phone,
  created_at: order.createdAt.toISOString(),
  updated_at: order.updatedAt.toISOString(),
  items: order.items.map((item) => ({
    id: item.id,
    menu_id: item.menuId,
    quantity: item.quantity,
    price: item.price,
    name: item.name,
  })),
})
