import { getHeapStatistics } from 'node:v8'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { CpuHog, defaultMemoryLeakBound, LEAK_CHUNK_BYTES, MemoryLeak } from '../src/resource-faults.ts'

// The services' tests (services/user/test/chaos-resources.test.ts) measure what each fault does to
// a real service; these check the bounds, on the real classes, with the time given to them.

const log = pino({ level: 'silent' })
const MiB = 2 ** 20

describe('MemoryLeak', () => {
  it('retains mb_per_s a second, stops growing at its bound, and lets all go when switched off', () => {
    let retained = 0
    const leak = new MemoryLeak(8 * MiB, () => retained++, log)
    leak.tick(0, 3) // switched on: it starts counting from here
    expect(leak.retainedBytes).toBe(0)
    leak.tick(1000, 3)
    expect(leak.retainedBytes).toBe(3 * MiB)
    leak.tick(1500, 3) // half a second: 1.5 MiB owed, one retained
    expect(leak.retainedBytes).toBe(4 * MiB)
    leak.tick(60_000, 3) // a loop held up for a minute owes a second's worth, not a minute's
    expect(leak.retainedBytes).toBe(7 * MiB)
    leak.tick(70_000, 3)
    expect(leak.retainedBytes).toBe(8 * MiB) // the bound
    leak.tick(80_000, 3)
    expect(leak.retainedBytes).toBe(8 * MiB)
    expect(retained).toBe(8 * (MiB / LEAK_CHUNK_BYTES))

    leak.tick(81_000, 0)
    expect(leak.retainedBytes).toBe(0)
    // On again: it grows from nothing, from the time it is switched on.
    leak.tick(90_000, 2)
    leak.tick(91_000, 2)
    expect(leak.retainedBytes).toBe(2 * MiB)
    leak.release()
    expect(leak.retainedBytes).toBe(0)
  })

  it('is bounded by default by 512 MiB, or half the heap limit when that is less', () => {
    expect(defaultMemoryLeakBound()).toBe(Math.min(512 * MiB, Math.floor(getHeapStatistics().heap_size_limit / 2)))
  })
})

describe('CpuHog', () => {
  it('spins busy_percent of each second, once a second, and not when off', () => {
    let burns = 0
    const hog = new CpuHog(() => burns++)
    expect(hog.tick(performance.now(), 0)).toBe(Number.POSITIVE_INFINITY)
    const started = performance.now()
    const untilNext = hog.tick(started, 5)
    const spun = performance.now() - started
    expect(spun).toBeGreaterThanOrEqual(49) // 5% of a second
    expect(untilNext).toBeGreaterThan(0)
    expect(untilNext).toBeLessThanOrEqual(1000 - 49)
    expect(burns).toBe(1)
    hog.tick(started + 500, 5) // within the same second: nothing more
    expect(burns).toBe(1)
    hog.tick(started + 1000, 5)
    expect(burns).toBe(2)
  })
})
