import { describe, expect, it } from 'vitest'
import { closestOf, notOneOf } from '../src/suggest.ts'

describe('naming a bad value', () => {
  it('offers the closest valid value only when it is near enough to be the typo', () => {
    expect(closestOf('ordr', ['user', 'restaurant', 'order'])).toBe('order')
    expect(closestOf('--scal', ['--scale', '--seed', '--out'])).toBe('--scale')
    expect(closestOf('kitchen', ['user', 'restaurant', 'order'])).toBeUndefined()
    expect(closestOf('x', ['user'])).toBeUndefined()
  })

  it('repeats no more of a long value than it takes to recognise it', () => {
    const message = notOneOf('a'.repeat(10_000), ['ALL', 'WRITE'], 'mode')
    expect(message).toBe(`\`${'a'.repeat(64)}…\` is not a mode: ALL, WRITE`)
    expect(notOneOf(42, ['GET'])).toBe('`42` is not one of GET')
  })
})
