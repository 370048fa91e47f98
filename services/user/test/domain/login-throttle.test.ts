import { describe, expect, it } from 'vitest'
import { HashGate } from '../../src/domain/hash-gate.ts'
import { decideLogin } from '../../src/domain/login-throttle.ts'

const limits = { perAccount: 3, perAddress: 10, windowSeconds: 900 }
const counts = (account: number, address: number, accountLeft = 600, addressLeft = 300) => ({
  account: { failures: account, secondsLeft: accountLeft },
  address: { failures: address, secondsLeft: addressLeft },
})

describe('decideLogin', () => {
  it('allows while both the account and the address have failures left', () => {
    expect(decideLogin(counts(0, 0), limits)).toEqual({ allowed: true })
    expect(decideLogin(counts(2, 9), limits)).toEqual({ allowed: true })
  })

  it('refuses until the exhausted window ends, the later of the two when both are', () => {
    expect(decideLogin(counts(3, 0), limits)).toEqual({ allowed: false, retryAfterSeconds: 600 })
    expect(decideLogin(counts(0, 10), limits)).toEqual({ allowed: false, retryAfterSeconds: 300 })
    expect(decideLogin(counts(5, 12, 100, 400), limits)).toEqual({ allowed: false, retryAfterSeconds: 400 })
  })
})

describe('HashGate', () => {
  const deferred = () => {
    let resolve = () => {}
    const promise = new Promise<void>((done) => {
      resolve = done
    })
    return { promise, resolve }
  }

  it('runs at most `running` at once, queues `waiting` more in order, and refuses the rest with 503 AUTH_BUSY', async () => {
    const gate = new HashGate({ running: 2, waiting: 1 })
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
    await expect(gate.run(async () => 3)).rejects.toMatchObject({ statusCode: 503, code: 'AUTH_BUSY' })
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
    const gate = new HashGate({ running: 1, waiting: 0 })
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await gate.run(async () => 'next')).toBe('next')
  })
})
