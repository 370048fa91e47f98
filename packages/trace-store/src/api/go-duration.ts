/**
 * Go's duration syntax (time.ParseDuration), which Tempo's minDuration and maxDuration take:
 * decimal numbers each with a unit, summed ("1h30m", "1.5s", "100ms", "250us"), or a bare "0".
 */
const NANOS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }
const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y

/** The duration in nanoseconds, or undefined when `text` is no Go duration (or is negative). */
export function parseGoDuration(text: string): number | undefined {
  const unsigned = text.startsWith('+') ? text.slice(1) : text
  if (unsigned === '0') return 0
  if (unsigned === '') return undefined
  let nanos = 0
  PART.lastIndex = 0
  while (PART.lastIndex < unsigned.length) {
    const start = PART.lastIndex
    const match = PART.exec(unsigned)
    if (match === null || match.index !== start) return undefined
    nanos += Number(match[1]) * (NANOS[match[2] as string] ?? Number.NaN)
  }
  return Number.isFinite(nanos) ? nanos : undefined
}
