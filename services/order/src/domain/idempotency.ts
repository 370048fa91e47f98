import { createHash } from 'node:crypto'
import type { FailureReason, OrderLine, OrderRecord } from './order.ts'

/** What identifies a request to place an order: its merged lines, address and phone. */
export interface OrderRequest {
  lines: OrderLine[]
  address: string
  phone: string
}

/** SHA-256 of the request in one canonical form (lines merged and sorted by menu, as stored). */
export const requestHash = (request: OrderRequest): string =>
  createHash('sha256')
    .update(JSON.stringify([request.lines.map((line) => [line.menuId, line.quantity]), request.address, request.phone]))
    .digest('hex')

// Failures that say nothing final about the request (stock may come back, the restaurant may
// recover): its key may be used again, and a retry places the order anew.
const RETRYABLE_FAILURES: ReadonlySet<FailureReason | null> = new Set<FailureReason>([
  'out_of_stock',
  'inventory_unavailable',
  'inventory_refused',
  'abandoned',
])

export type RepeatDecision = 'replay' | 'mismatch' | 'in_progress' | 'retry'

/**
 * What to do with a request whose Idempotency-Key this user used before, for `existing`:
 * another request under the same key is refused (`mismatch`); one still running is not answered
 * with its half-made order (`in_progress`); one that failed for a reason that may pass is tried
 * again (`retry`); anything else is answered with the order it made (`replay`).
 */
export function decideRepeat(
  existing: Pick<OrderRecord, 'status' | 'failureReason' | 'requestHash'>,
  hash: string,
): RepeatDecision {
  // Orders stored before request hashes were kept have none: their key is trusted as it was.
  if (existing.requestHash !== null && existing.requestHash !== hash) return 'mismatch'
  if (existing.status === 'PENDING') return 'in_progress'
  if (existing.status === 'FAILED' && RETRYABLE_FAILURES.has(existing.failureReason as FailureReason)) return 'retry'
  return 'replay'
}
