/**
 * The SRE workbook's windows for a 30-day SLO, and their time compression for a lab: every window
 * divided by 30 days / `period`, never shorter than `minWindow` (a rate needs samples to read).
 */
export const WORKBOOK_PERIOD_S = 30 * 24 * 3600

/** Each window by its workbook name; the recording rules keep these names, compressed or not. */
export const WORKBOOK_WINDOWS = {
  '5m': 300,
  '30m': 1800,
  '1h': 3600,
  '2h': 7200,
  '6h': 21600,
  '1d': 86400,
  '3d': 259200,
}
export type WindowName = keyof typeof WORKBOOK_WINDOWS

/** The multi-window, multi-burn-rate alerts (workbook table 5-8): two pairs for a page, two for a ticket. */
export const BURN_RATE_ALERTS = {
  page: [
    { long: '1h', short: '5m', factor: 14.4 },
    { long: '6h', short: '30m', factor: 6 },
  ],
  ticket: [
    { long: '1d', short: '2h', factor: 3 },
    { long: '3d', short: '6h', factor: 1 },
  ],
} as const satisfies Record<string, { long: WindowName; short: WindowName; factor: number }[]>

export interface Compression {
  /** What the workbook's 30 days become, in seconds. */
  periodS: number
  /** The shortest window a rule may use, in seconds. */
  minWindowS: number
}

/** No compression: the workbook's 30 days and windows as they are. */
export const REAL_TIME: Compression = { periodS: WORKBOOK_PERIOD_S, minWindowS: 60 }

/** A workbook window as the rules use it, in whole seconds. */
export const compressedSeconds = (windowS: number, compression: Compression): number =>
  Math.max(compression.minWindowS, Math.round((windowS * compression.periodS) / WORKBOOK_PERIOD_S))

/** Seconds as Prometheus writes a duration: 1h, 5m, 90s. */
export function promDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`
  }
  return `${seconds}s`
}
