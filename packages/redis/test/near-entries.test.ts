import { describe, expect, it } from 'vitest'
import { NearEntries } from '../src/near-entries.ts'

const bytes = (text: string) => Buffer.from(text)
/** A clock the test moves (lru-cache reads it through `now()`). */
const clockAt = (start: number) => ({
  time: start,
  now() {
    return this.time
  },
})

describe('NearEntries', () => {
  it('keeps an entry until its TTL, then forgets it', () => {
    const clock = clockAt(1_000)
    const entries = new NearEntries(10, clock)
    entries.set('a', '3', bytes('x'), 500)
    expect(entries.get('a')).toEqual({ generation: '3', bytes: bytes('x') })
    clock.time = 1_500
    expect(entries.get('a')?.generation).toBe('3')
    clock.time = 1_501
    expect(entries.get('a')).toBeUndefined()
    expect(entries.size).toBe(0)
  })

  it('keeps nothing Redis has already let expire (a TTL under 1 ms, or PTTL’s -2 for a gone key)', () => {
    const entries = new NearEntries(10, clockAt(1_000))
    entries.set('a', '1', bytes('old'), 1_000)
    entries.set('a', '2', bytes('new'), -2)
    expect(entries.get('a')).toBeUndefined()
    entries.set('b', '1', bytes('b'), 0.5)
    expect(entries.size).toBe(0)
  })

  it('replaces an entry, and drops one on delete', () => {
    const entries = new NearEntries(10, clockAt(1_000))
    entries.set('a', '1', bytes('old'), 1_000)
    entries.set('a', '2', bytes('new'), 1_000)
    expect(entries.get('a')).toEqual({ generation: '2', bytes: bytes('new') })
    entries.delete('a')
    expect(entries.get('a')).toBeUndefined()
  })

  it('holds at most its capacity, dropping the entry used longest ago', () => {
    const entries = new NearEntries(3, clockAt(1_000))
    for (const key of ['a', 'b', 'c']) entries.set(key, '0', bytes(key), 1_000)
    entries.set('a', '1', bytes('a again'), 1_000) // stored again: now the newest
    entries.get('b') // read: now newer than c
    entries.set('d', '0', bytes('d'), 1_000)
    expect(entries.size).toBe(3)
    expect(entries.get('c')).toBeUndefined()
    expect(['a', 'b', 'd'].map((key) => entries.get(key)?.bytes.toString())).toEqual(['a again', 'b', 'd'])
  })
})
