/** How many failed logins are allowed per account and per address within one window. */
export interface LoginLimits {
  perAccount: number
  perAddress: number
  windowSeconds: number
}

/** Failed logins counted so far in the current windows, with the seconds each window has left. */
export interface FailureCounts {
  account: { failures: number; secondsLeft: number }
  address: { failures: number; secondsLeft: number }
}

/**
 * Whether a login may be tried now: refused (with when to retry) once the account or the address
 * has used up its failures, even with the right password, until the window ends. The right
 * password clears the account's count (see LoginAttempts.succeeded); an address's count only ends
 * with its window, so one address cannot go through many accounts' allowances.
 */
export function decideLogin(
  counts: FailureCounts,
  limits: LoginLimits,
): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
  const exhausted = [
    counts.account.failures >= limits.perAccount ? counts.account.secondsLeft : 0,
    counts.address.failures >= limits.perAddress ? counts.address.secondsLeft : 0,
  ]
  const wait = Math.max(...exhausted)
  return wait > 0 ? { allowed: false, retryAfterSeconds: wait } : { allowed: true }
}
