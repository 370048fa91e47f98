import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * Whether a value someone sent is `secret`, compared in constant time (digests of equal length,
 * so neither the content nor the length of the secret leaks through timing).
 */
export function secretMatcher(secret: string): (given: string | undefined) => boolean {
  const expected = digest(secret)
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), expected)
}

/**
 * A preHandler that lets a request through only when what `read` finds in it is `secret`, and
 * throws what `denied` makes otherwise: the one guard of the service token and the chaos token.
 */
export function secretGuard(
  secret: string,
  read: (request: FastifyRequest) => string | undefined,
  denied: () => Error,
): (request: FastifyRequest) => Promise<void> {
  const matches = secretMatcher(secret)
  return async (request) => {
    if (!matches(read(request))) throw denied()
  }
}
