import { describe, expect, it } from 'vitest'
import { retryDelayMs } from '../../src/saga/stock-release.ts'

describe('retryDelayMs', () => {
  it('doubles with each round', () => {
    expect([0, 1, 2, 3].map((round) => retryDelayMs(100, round))).toEqual([100, 200, 400, 800])
  })

  it('never waits more than five minutes', () => {
    expect(retryDelayMs(100, 30)).toBe(300_000)
  })
})
