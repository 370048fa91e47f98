/**
 * Which traces a service keeps, read from OpenTelemetry's standard sampler variables
 * (docs/observability.md#which-traces-are-kept). Imported without the SDK: the bootstrap and the
 * bench read it too.
 */

/** `OTEL_TRACES_SAMPLER=tail`: record every trace, export those a tail-sampling policy keeps. */
export const TAIL_SAMPLER = 'tail'

export interface TailSettings {
  /** The share of the traces kept whatever happened in them, chosen by trace id (`traceInShare`). */
  ratio: number
  /** Besides that share, the first this many traces begun in each second are kept, so a quiet fleet keeps them all. */
  perSecond: number
}

export const TAIL_DEFAULTS: TailSettings = { ratio: 0.1, perSecond: 10 }

/**
 * The tail policy when `OTEL_TRACES_SAMPLER=tail`, else `undefined` (OpenTelemetry's own samplers,
 * or none: every trace exported). `OTEL_TRACES_SAMPLER_ARG` is the ratio (`0.1`), or key=value
 * pairs as OpenTelemetry's `jaeger_remote` sampler takes them (`ratio=0.1,per_second=10`). A value
 * that is not one stops the service with a message naming it, as the fleet's configuration does.
 */
export function tailSettings(env: NodeJS.ProcessEnv = process.env): TailSettings | undefined {
  if (env.OTEL_TRACES_SAMPLER?.trim() !== TAIL_SAMPLER) return undefined
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim() ?? ''
  const settings = { ...TAIL_DEFAULTS }
  const bad = (why: string) =>
    new Error(`OTEL_TRACES_SAMPLER_ARG=${arg}: ${why} (e.g. 0.1, or ratio=0.1,per_second=10; docs/observability.md)`)
  const number = (text: string, name: string) => {
    const value = Number(text)
    if (text === '' || !Number.isFinite(value) || value < 0) throw bad(`${name} must be a number ≥ 0`)
    return value
  }
  if (arg === '') return settings
  if (!arg.includes('=')) return { ...settings, ratio: Math.min(1, number(arg, 'the ratio')) }
  for (const pair of arg.split(',')) {
    const [key = '', value = ''] = pair.split('=').map((part) => part.trim())
    if (key === 'ratio') settings.ratio = Math.min(1, number(value, 'ratio'))
    else if (key === 'per_second') settings.perSecond = Math.floor(number(value, 'per_second'))
    else throw bad(`unknown key "${key}"`)
  }
  return settings
}

/**
 * Whether a trace is among the `ratio` share kept: its id's rightmost 52 bits (random in W3C trace
 * ids, and exact in a double) as a fraction of 2^52, below the ratio: the rule of npm start's trace
 * store (packages/trace-store, `inShare`), so every service and the store keep the same traces.
 */
export function traceInShare(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true
  if (ratio <= 0) return false
  return Number.parseInt(traceId.slice(-13), 16) < ratio * 2 ** 52
}
