import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FaultStore } from '../src/fault-store.ts'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('FaultStore', () => {
  it('says how strong each fault is: its number, 1 for a boolean on, 0 when off', () => {
    const store = new FaultStore()
    store.set('delay', 200)
    store.set('error', true)
    expect([store.current('delay'), store.current('error'), store.current('payment_fail')]).toEqual([200, 1, 0])
  })

  it('clears a fault with a TTL by itself, and says so', () => {
    const expired: string[] = []
    const store = new FaultStore((name) => expired.push(name))
    const fault = store.set('delay', 200, 2)
    expect(fault.expiresAt?.getTime()).toBe(fault.setAt.getTime() + 2000)
    vi.advanceTimersByTime(1999)
    expect(store.current('delay')).toBe(200)
    vi.advanceTimersByTime(1)
    expect(store.current('delay')).toBe(0)
    expect(expired).toEqual(['delay'])
  })

  it('is off at the end of its TTL even when its timer runs late (a busy event loop)', () => {
    const store = new FaultStore()
    store.set('payment_fail', 100, 2)
    vi.setSystemTime(Date.now() + 2000) // the clock moves on; no timer has run
    expect(store.current('payment_fail')).toBe(0)
    expect(store.entries()).toEqual([])
  })

  it('clears one fault or all, answering which were active, and cancels their timers', () => {
    const expired: string[] = []
    const store = new FaultStore((name) => expired.push(name))
    store.set('delay', 200, 1)
    store.set('error', true)
    expect(store.clear('delay')).toEqual(['delay'])
    expect(store.clear('delay')).toEqual([])
    expect(store.clear()).toEqual(['error'])
    vi.advanceTimersByTime(5000)
    expect(expired).toEqual([])
  })

  it('takes on another replica’s faults with their times, leaving out the expired and dropping the others', () => {
    const store = new FaultStore()
    store.set('stale', 5)
    const now = Date.now()
    store.replaceAll(
      new Map([
        ['delay', { value: 300, setAt: new Date(now - 1000), expiresAt: new Date(now + 1000), seed: null }],
        ['error', { value: true, setAt: new Date(now - 5000), expiresAt: new Date(now - 1), seed: null }],
      ]),
    )
    expect([store.current('delay'), store.current('error'), store.current('stale')]).toEqual([300, 0, 0])
    vi.advanceTimersByTime(1000)
    expect(store.current('delay')).toBe(0)
  })

  it('draws a seeded fault’s chances from its seed: the same seed the same draws, a reload going on where it was', () => {
    const store = new FaultStore()
    expect(store.draw('payment_fail')).toBeUndefined()
    const fault = store.set('payment_fail', 30, undefined, 42)
    const first = [store.draw('payment_fail'), store.draw('payment_fail')]
    // Another replica's reload brings the same setting back: the draws go on, not again.
    store.replaceAll(new Map([['payment_fail', { ...fault }]]))
    const third = store.draw('payment_fail')
    store.set('payment_fail', 30, undefined, 42)
    expect([store.draw('payment_fail'), store.draw('payment_fail'), store.draw('payment_fail')]).toEqual([
      ...first,
      third,
    ])
    for (const draw of [...first, third]) {
      expect(draw).toBeGreaterThanOrEqual(0)
      expect(draw).toBeLessThan(1)
    }
    store.set('payment_fail', 30, undefined, 43)
    expect(store.draw('payment_fail')).not.toBe(first[0])
    store.set('payment_fail', 30)
    expect(store.draw('payment_fail')).toBeUndefined()
    store.set('payment_fail', 30, undefined, 42)
    store.clear('payment_fail')
    expect(store.draw('payment_fail')).toBeUndefined()
  })
})
