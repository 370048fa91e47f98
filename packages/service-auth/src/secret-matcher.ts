import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * Whether a value someone sent is `secret`, compared in constant time (digests of equal length,
 * so neither the content nor the length of the secret leaks through timing).
 */
export function secretMatcher(secret: string): (given: string | undefined) => boolean {
  const expected = digest(secret)
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), expected)
}
