import { describe, expect, it } from 'vitest'
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
