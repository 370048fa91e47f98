import { describe, expect, it } from 'vitest'
import { decideReserve, decideRestore, describeRejection } from '../../src/domain/inventory.ts'

describe('decideReserve', () => {
  it('takes stock for a first reserve that the stock can hold', () => {
    expect(decideReserve(undefined, 5, 5)).toEqual({ kind: 'reserve' })
  })

  it('refuses more than the stock, saying what is there', () => {
    expect(decideReserve(undefined, 2, 3)).toEqual({
      kind: 'reject',
      rejection: { code: 'INSUFFICIENT_STOCK', available: 2, requested: 3 },
    })
  })

  it('answers a repeat of the same reserve as it was, whatever the stock is now', () => {
    expect(decideReserve({ quantity: 3, status: 'RESERVED' }, 0, 3)).toEqual({ kind: 'replay' })
  })

  it('refuses the same order reserving another quantity', () => {
    expect(decideReserve({ quantity: 3, status: 'RESERVED' }, 10, 4)).toEqual({
      kind: 'reject',
      rejection: { code: 'RESERVATION_MISMATCH', reserved: 3, requested: 4 },
    })
  })

  it.each(['RESTORED', 'VOID'] as const)('refuses a reserve after the order’s %s mark', (status) => {
    expect(decideReserve({ quantity: 3, status }, 10, 3)).toEqual({
      kind: 'reject',
      rejection: { code: 'RESERVATION_CLOSED', status },
    })
  })
})

describe('decideRestore', () => {
  it('gives back exactly what was reserved, once', () => {
    expect(decideRestore({ quantity: 2, status: 'RESERVED' }, 2)).toEqual({ kind: 'restore', quantity: 2 })
    expect(decideRestore({ quantity: 2, status: 'RESTORED' }, 2)).toEqual({ kind: 'replay' })
  })

  it('voids an order that never reserved, so a late reserve is refused', () => {
    expect(decideRestore(undefined, 2)).toEqual({ kind: 'void' })
    expect(decideRestore({ quantity: 2, status: 'VOID' }, 2)).toEqual({ kind: 'replay' })
  })

  it('refuses to take back another quantity than was reserved', () => {
    expect(decideRestore({ quantity: 2, status: 'RESERVED' }, 5)).toEqual({
      kind: 'reject',
      rejection: { code: 'RESERVATION_MISMATCH', reserved: 2, requested: 5 },
    })
  })
})

describe('describeRejection', () => {
  it('names the menu and the figures', () => {
    expect(describeRejection(7, { code: 'INSUFFICIENT_STOCK', available: 1, requested: 2 })).toBe(
      'Menu 7 has 1 in stock, 2 requested',
    )
  })
})
