import { describe, expect, it } from 'vitest'
import { secretMatcher } from '../src/secret-matcher.ts'

describe('secretMatcher', () => {
  const matches = secretMatcher('Zq3vT9-kLm2Xp8rW4nB6yC1dF5gH7jK0')

  it('takes exactly the secret', () => {
    expect(matches('Zq3vT9-kLm2Xp8rW4nB6yC1dF5gH7jK0')).toBe(true)
  })

  it('refuses anything else: missing, empty, a prefix, a longer value, another case', () => {
    for (const given of [
      undefined,
      '',
      'Zq3vT9',
      'Zq3vT9-kLm2Xp8rW4nB6yC1dF5gH7jK0x',
      'zq3vt9-klm2xp8rw4nb6yc1df5gh7jk0',
    ]) {
      expect(matches(given), String(given)).toBe(false)
    }
  })
})
