/** Pure rules of stock changes; the inventory store applies them inside a transaction. */

export type ReservationStatus = 'RESERVED' | 'RESTORED' | 'VOID'

export interface Reservation {
  quantity: number
  status: ReservationStatus
}

export type Rejection =
  | { code: 'INSUFFICIENT_STOCK'; available: number; requested: number }
  | { code: 'RESERVATION_MISMATCH'; reserved: number; requested: number }
  | { code: 'RESERVATION_CLOSED'; status: ReservationStatus }

export type ReserveDecision = { kind: 'reserve' } | { kind: 'replay' } | { kind: 'reject'; rejection: Rejection }

export type RestoreDecision =
  | { kind: 'restore'; quantity: number }
  | { kind: 'void' }
  | { kind: 'replay' }
  | { kind: 'reject'; rejection: Rejection }

/**
 * A reserve takes stock once per (order, menu): a retry of the same reserve is answered as it
 * was; one after the order's restore (or void) is refused, so a late, retried request cannot
 * take stock for an order that has already given it back.
 */
export function decideReserve(existing: Reservation | undefined, stock: number, quantity: number): ReserveDecision {
  if (existing) {
    if (existing.status !== 'RESERVED') {
      return { kind: 'reject', rejection: { code: 'RESERVATION_CLOSED', status: existing.status } }
    }
    if (existing.quantity !== quantity) {
      return {
        kind: 'reject',
        rejection: { code: 'RESERVATION_MISMATCH', reserved: existing.quantity, requested: quantity },
      }
    }
    return { kind: 'replay' }
  }
  if (stock < quantity) {
    return { kind: 'reject', rejection: { code: 'INSUFFICIENT_STOCK', available: stock, requested: quantity } }
  }
  return { kind: 'reserve' }
}

/**
 * A restore gives back exactly what the order reserved, once. A restore for an order that never
 * reserved gives back nothing and leaves a VOID mark, so that a reserve still in flight (the
 * compensation overtook it) is refused when it arrives instead of taking stock for good.
 */
export function decideRestore(existing: Reservation | undefined, quantity: number): RestoreDecision {
  if (!existing) return { kind: 'void' }
  if (existing.quantity !== quantity) {
    return {
      kind: 'reject',
      rejection: { code: 'RESERVATION_MISMATCH', reserved: existing.quantity, requested: quantity },
    }
  }
  return existing.status === 'RESERVED' ? { kind: 'restore', quantity: existing.quantity } : { kind: 'replay' }
}

export function describeRejection(menuId: number, rejection: Rejection): string {
  switch (rejection.code) {
    case 'INSUFFICIENT_STOCK':
      return `Menu ${menuId} has ${rejection.available} in stock, ${rejection.requested} requested`
    case 'RESERVATION_MISMATCH':
      return `This order reserved ${rejection.reserved} of menu ${menuId}, not ${rejection.requested}`
    case 'RESERVATION_CLOSED':
      return `This order's reservation of menu ${menuId} is ${rejection.status}; it cannot reserve again`
  }
}

/**
 * How many of the pool's connections stock changes may hold at once: all but a quarter (at least
 * one, when there is more than one), which stays free for the catalogue's reads.
 */
export const stockChangeShare = (poolMax: number): number => Math.max(1, poolMax - Math.ceil(poolMax / 4))
