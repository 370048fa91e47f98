import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

// OWASP's scrypt minimum (N=2^17 would be stronger, but logins are part of every load test here).
const PARAMS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 }
const MAX_MEMORY = 64 * 1024 * 1024

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number) {
  const options: ScryptOptions = { N, r, p, maxmem: MAX_MEMORY }
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  )
}

/** `scrypt$N$r$p$salt$hash` (base64): the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(PARAMS.saltLength)
  const key = await derive(password, salt, PARAMS.N, PARAMS.r, PARAMS.p, PARAMS.keyLength)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = await derive(password, Buffer.from(salt, 'base64'), Number(N), Number(r), Number(p), expected.length)
  return timingSafeEqual(actual, expected)
}

/**
 * A hash of a random password, compared against when the username is unknown, so that a
 * login for a missing user takes as long as a wrong password and does not reveal who exists.
 */
export const dummyPasswordHash: Promise<string> = hashPassword(randomBytes(16).toString('hex'))
