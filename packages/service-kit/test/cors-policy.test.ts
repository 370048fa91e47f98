import { describe, expect, it } from 'vitest'
import { isChaosPath } from '../src/cors-policy.ts'

describe('isChaosPath', () => {
  it.each(['/chaos', '/chaos/', '/chaos/delay', '/chaos/*'])('takes %s as a chaos switch', (url) => {
    expect(isChaosPath(url)).toBe(true)
  })

  it.each(['/menus', '/orders/1/cancel', '/health', '/chaosmonkey', '/'])('leaves %s open', (url) => {
    expect(isChaosPath(url)).toBe(false)
  })
})
