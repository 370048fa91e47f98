import { describe, expect, it } from 'vitest'
import { seededRandom } from '../src/seeded-random.ts'

describe('seededRandom', () => {
  it('draws the same numbers from the same seed, others from another, spread over [0, 1)', () => {
    const draws = (seed: number) => {
      const random = seededRandom(seed)
      return Array.from({ length: 10_000 }, () => random())
    }
    const a = draws(7)
    expect(draws(7)).toEqual(a)
    expect(draws(8).slice(0, 20)).not.toEqual(a.slice(0, 20))
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...a)).toBeLessThan(1)
    // A 30% fault strikes about 30% of requests.
    expect(a.filter((draw) => draw * 100 < 30).length / a.length).toBeCloseTo(0.3, 1)
  })
})
