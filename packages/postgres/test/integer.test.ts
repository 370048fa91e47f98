import { describe, expect, it } from 'vitest'
import { isRowId, POSTGRES_INT_MAX } from '../src/integer.ts'

describe('isRowId', () => {
  it('takes the whole numbers an INTEGER id column holds', () => {
    for (const n of [1, 42, POSTGRES_INT_MAX]) expect(isRowId(n), String(n)).toBe(true)
  })

  it('refuses what PostgreSQL would reject or no row has', () => {
    for (const n of [0, -1, 1.5, POSTGRES_INT_MAX + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(isRowId(n), String(n)).toBe(false)
    }
  })

  it('is the int4 maximum', () => {
    expect(POSTGRES_INT_MAX).toBe(2 ** 31 - 1)
  })
})
