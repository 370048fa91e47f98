import { describe, expect, it } from 'vitest'
import { stockChangeShare } from '../../src/domain/inventory.ts'

describe('stockChangeShare', () => {
  it('leaves a quarter of the pool (at least one connection) to reads, and changes at least one', () => {
    expect([1, 2, 3, 4, 10, 20].map(stockChangeShare)).toEqual([1, 1, 2, 3, 7, 15])
  })
})
