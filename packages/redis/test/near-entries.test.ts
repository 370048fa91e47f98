import { describe, expect, it } from 'vitest'
import { NearEntries } from '../src/near-entries.ts'

const bytes = (text: string) => Buffer.from(text)

describe('NearEntries', () => {
  it('keeps an entry until its TTL, then forgets it', () => {
    let now = 1_000
    const entries = new NearEntries(10, () => now)
    entries.set('a', '3', bytes('x'), 500)
    expect(entries.get('a')).toEqual({ generation: '3', bytes: bytes('x'), expiresAt: 1_500 })
    now = 1_499
    expect(entries.get('a')?.generation).toBe('3')
    now = 1_500
    expect(entries.get('a')).toBeUndefined()
    expect(entries.size).toBe(0)
  })

  it('keeps nothing Redis has already let expire (a TTL of 0, or PTTL’s -2 for a gone key)', () => {
    const entries = new NearEntries(10, () => 0)
    entries.set('a', '1', bytes('old'), 1_000)
    entries.set('a', '2', bytes('new'), -2)
    expect(entries.get('a')).toBeUndefined()
    entries.set('b', '1', bytes('b'), 0)
    expect(entries.size).toBe(0)
  })

  it('replaces an entry, and drops one on delete', () => {
    const entries = new NearEntries(10, () => 0)
    entries.set('a', '1', bytes('old'), 1_000)
    entries.set('a', '2', bytes('new'), 1_000)
    expect(entries.get('a')).toMatchObject({ generation: '2', bytes: bytes('new') })
    entries.delete('a')
    expect(entries.get('a')).toBeUndefined()
  })

  it('holds at most its capacity, dropping the entry stored longest ago', () => {
    const entries = new NearEntries(3, () => 0)
    for (const key of ['a', 'b', 'c']) entries.set(key, '0', bytes(key), 1_000)
    entries.set('a', '1', bytes('a again'), 1_000) // stored again: now the newest
    entries.set('d', '0', bytes('d'), 1_000)
    expect(entries.size).toBe(3)
    expect(entries.get('b')).toBeUndefined()
    expect(['a', 'c', 'd'].map((key) => entries.get(key)?.bytes.toString())).toEqual(['a again', 'c', 'd'])
  })
})
