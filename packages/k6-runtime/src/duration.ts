/**
 * A k6 duration ('30s', '1m30s', '500ms', '2h', or a number of milliseconds) in milliseconds, as a
 * script's options give them (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci).
 */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== value) {
    throw new Error(`not a k6 duration: ${JSON.stringify(value)}`)
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  return parts.reduce((total, [, amount, suffix]) => total + Number(amount) * unit[suffix as keyof typeof unit], 0)
}
