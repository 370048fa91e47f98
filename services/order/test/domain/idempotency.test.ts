import { describe, expect, it } from 'vitest'
import { decideRepeat, requestHash } from '../../src/domain/idempotency.ts'
import type { FailureReason, OrderStatus } from '../../src/domain/order.ts'

const request = { lines: [{ menuId: 1, quantity: 2 }], address: 'Seoul', phone: '010-1234-5678' }
const hash = requestHash(request)
const order = (
  status: OrderStatus,
  failureReason: FailureReason | null = null,
  requestHashValue: string | null = hash,
) => ({
  status,
  failureReason,
  requestHash: requestHashValue,
})

describe('requestHash', () => {
  it('is the same for the same request, and differs when any part of it does', () => {
    expect(requestHash({ ...request })).toBe(hash)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    for (const other of [
      { ...request, lines: [{ menuId: 1, quantity: 3 }] },
      { ...request, lines: [{ menuId: 2, quantity: 2 }] },
      { ...request, address: 'Busan' },
      { ...request, phone: '010-0000-0000' },
    ]) {
      expect(requestHash(other)).not.toBe(hash)
    }
  })
})

describe('decideRepeat', () => {
  it('replays what finished: confirmed, cancelled, or failed at payment', () => {
    expect(decideRepeat(order('CONFIRMED'), hash)).toBe('replay')
    expect(decideRepeat(order('CANCELLED'), hash)).toBe('replay')
    expect(decideRepeat(order('FAILED', 'payment_failed'), hash)).toBe('replay')
  })

  it('refuses another request under the same key, whatever the first became', () => {
    expect(decideRepeat(order('CONFIRMED'), requestHash({ ...request, address: 'Busan' }))).toBe('mismatch')
    expect(decideRepeat(order('PENDING'), 'f'.repeat(64))).toBe('mismatch')
  })

  it('does not answer with an order still being placed', () => {
    expect(decideRepeat(order('PENDING'), hash)).toBe('in_progress')
  })

  it('places the order anew when the first try failed for a reason that may pass', () => {
    for (const reason of ['out_of_stock', 'inventory_unavailable', 'inventory_refused', 'abandoned'] as const) {
      expect(decideRepeat(order('FAILED', reason), hash), reason).toBe('retry')
    }
  })

  it('trusts the key of an order stored before requests were hashed', () => {
    expect(decideRepeat(order('CONFIRMED', null, null), hash)).toBe('replay')
  })
})
