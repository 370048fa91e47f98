/**
 * The order's state machine.
 *
 *   PENDING ──all reserved, paid──▶ CONFIRMED ──cancel──▶ CANCELLED
 *      │
 *      └──user/stock/payment failure, or abandoned──▶ FAILED
 *
 * Beside the status, `stock_status` says what the order holds of the restaurant's stock:
 * reserving → reserved → kept (CONFIRMED), or → releasing → released (FAILED, CANCELLED).
 * `release_refused` is the exception an operator must look at: the restaurant refused to take
 * the units back (it holds another quantity for this order), so they are not recorded as given back.
 * An order is settled when it is CONFIRMED and kept, or FAILED/CANCELLED and released.
 * Each set is defined once here; the types and the API's schemas are derived from it.
 */
export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'FAILED', 'CANCELLED'] as const
export const PAYMENT_STATUSES = ['pending', 'paid', 'failed', 'skipped', 'refunded'] as const
export const STOCK_STATUSES = ['reserving', 'reserved', 'kept', 'releasing', 'released', 'release_refused'] as const
export const FAILURE_REASONS = [
  'user_invalid',
  'user_unavailable',
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

export interface OrderLine {
  menuId: number
  quantity: number
}

export interface OrderItemRecord extends OrderLine {
  id: number
  price: number
  name: string
}

export interface OrderRecord {
  id: number
  userId: number
  status: string
  paymentStatus: string
  stockStatus: string
  failureReason: string | null
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

/** A chaos fault set to `percent` strikes this time (payment_fail, restore_fail). */
export const strikes = (percent: number, random: () => number): boolean => random() * 100 < percent

export interface OrderView {
  id: number
  user_id: number
  total_price: number
  status: OrderStatus
  payment_status: PaymentStatus
  stock_status: StockStatus
  failure_reason: FailureReason | null
  address: string
  phone: string
  created_at: string
  updated_at: string
  items: { id: number; menu_id: number; quantity: number; price: number; name: string }[]
}

export const toOrderView = (order: OrderRecord): OrderView => ({
  id: order.id,
  user_id: order.userId,
  total_price: order.totalPrice,
  status: order.status as OrderStatus,
  payment_status: order.paymentStatus as PaymentStatus,
  stock_status: order.stockStatus as StockStatus,
  failure_reason: order.failureReason as FailureReason | null,
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
