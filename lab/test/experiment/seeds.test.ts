import { describe, expect, it } from 'vitest'
import { FaultSeeds, fnv1a } from '../../src/experiment/seeds.ts'

describe('the seeds a run hands its faults', () => {
  it('gives each setting of each fault its own seed, the same in every run with the same seed', () => {
    const settings = (seed: number) => {
      const seeds = new FaultSeeds(seed)
      return [seeds.next('order', 'payment_fail'), seeds.next('order', 'error'), seeds.next('order', 'payment_fail')]
    }
    const run = settings(42)
    expect(settings(42)).toEqual(run)
    expect(new Set(run).size).toBe(3)
    expect(settings(43)).not.toEqual(run)
    // Another fault set first does not change this one's seed.
    const reordered = new FaultSeeds(42)
    reordered.next('user', 'delay')
    expect(reordered.next('order', 'payment_fail')).toBe(run[0])
  })

  it('hashes a text to 32 bits (FNV-1a’s published values)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5)
    expect(fnv1a('a')).toBe(0xe40c292c)
    expect(fnv1a('foobar')).toBe(0xbf9cf968)
  })
})
