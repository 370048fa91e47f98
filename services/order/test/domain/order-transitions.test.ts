import { describe, expect, it } from 'vitest'
import {
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  PAYMENT_STATUSES,
  STOCK_STATUSES,
  transitionOf,
} from '../../src/domain/order.ts'

describe('the order’s transitions, by name', () => {
  it('move a status only along the state machine: PENDING to CONFIRMED or FAILED, either to CANCELLED', () => {
    const moves = Object.values(ORDER_TRANSITIONS)
      .filter(({ to }) => 'status' in to)
      .map(({ from, to }) => `${(from as { status: string }).status} → ${(to as { status: string }).status}`)
      .sort()
    expect(moves).toEqual(['CONFIRMED → CANCELLED', 'FAILED → CANCELLED', 'PENDING → CONFIRMED', 'PENDING → FAILED'])
  })

  it('name only states of the sets, and take units back only from an order giving them back', () => {
    for (const [name, { from, to }] of Object.entries(ORDER_TRANSITIONS)) {
      const states = { ...from, ...to } as Record<string, unknown>
      if (states.status !== undefined) expect(ORDER_STATUSES, name).toContain(states.status)
      if (states.paymentStatus !== undefined) expect(PAYMENT_STATUSES, name).toContain(states.paymentStatus)
      if (states.stockStatus !== undefined) expect(STOCK_STATUSES, name).toContain(states.stockStatus)
      if (['released', 'releaseRefused', 'releaseDeferred'].includes(name))
        expect(from, name).toEqual({ stockStatus: 'releasing' })
    }
  })

  it('put a move’s extras where they belong: the owner in its condition, the rest in its change', () => {
    expect(transitionOf('confirmed')).toEqual({
      from: { status: 'PENDING', stockStatus: 'reserved' },
      to: { status: 'CONFIRMED', paymentStatus: 'paid', stockStatus: 'kept' },
    })
    expect(transitionOf('failed', { paymentStatus: 'failed', failureReason: 'payment_failed' })).toEqual({
      from: { status: 'PENDING' },
      to: { status: 'FAILED', stockStatus: 'releasing', paymentStatus: 'failed', failureReason: 'payment_failed' },
    })
    expect(transitionOf('cancelled', { userId: 7 })).toEqual({
      from: { status: 'CONFIRMED', userId: 7 },
      to: { status: 'CANCELLED', paymentStatus: 'refunded', stockStatus: 'releasing' },
    })
    // A FAILED order's cancel changes its status only: its units are the failure's to give back.
    expect(transitionOf('failedCancelled', { userId: 7 })).toEqual({
      from: { status: 'FAILED', userId: 7 },
      to: { status: 'CANCELLED' },
    })
    const next = new Date(0)
    expect(transitionOf('releaseDeferred', { releaseAttempts: 2, nextAttemptAt: next }).to).toEqual({
      releaseAttempts: 2,
      nextAttemptAt: next,
    })
  })
})
