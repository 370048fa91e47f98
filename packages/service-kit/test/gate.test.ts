import { describe, expect, it } from 'vitest'
import { Gate } from '../src/gate.ts'

describe('Gate', () => {
  const deferred = () => {
    let resolve = () => {}
    const promise = new Promise<void>((done) => {
      resolve = done
    })
    return { promise, resolve }
  }

  it('runs at most `running` at once, queues `waiting` more in order, and refuses the rest with its error', async () => {
    const gate = new Gate({ running: 2, waiting: 1, whenFull: () => new Error('full') })
    const started: number[] = []
    const blockers = [deferred(), deferred(), deferred()]
    const tasks = [0, 1, 2].map((i) =>
      gate.run(async () => {
        started.push(i)
        await blockers[i]?.promise
        return i
      }),
    )
    await new Promise((resolve) => setImmediate(resolve))
    expect(started).toEqual([0, 1])
    await expect(gate.run(async () => 3)).rejects.toThrow('full')
    blockers[0]?.resolve()
    await tasks[0]
    await new Promise((resolve) => setImmediate(resolve))
    expect(started).toEqual([0, 1, 2])
    blockers[1]?.resolve()
    blockers[2]?.resolve()
    expect(await Promise.all(tasks)).toEqual([0, 1, 2])
    // All slots are free again.
    expect(await Promise.all([gate.run(async () => 'a'), gate.run(async () => 'b')])).toEqual(['a', 'b'])
  })

  it('frees its slot when a hash fails', async () => {
    const gate = new Gate({ running: 1, waiting: 0, whenFull: () => new Error('full') })
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await gate.run(async () => 'next')).toBe('next')
  })
})
