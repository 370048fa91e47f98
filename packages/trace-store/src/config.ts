/**
 * Everything the trace store can be told, with its default: what it keeps (tail sampling), how
 * much it holds, what it accepts, and where it listens. From code (`startTraceStore(options)`)
 * or from the environment (TRACE_STORE_<OPTION IN SNAKE CASE>: TRACE_STORE_MAX_BYTES=…).
 */
import { notOneOf } from '@food/errors/suggest'
import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const MiB = 1024 * 1024

export const TraceStoreConfig = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', description: 'Where both servers listen: loopback unless told' }),
    otlpPort: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 4318,
      description: 'OTLP/HTTP receiver (POST /v1/traces); 0 picks a free port',
    }),
    apiPort: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: 3200,
      description: "Tempo's HTTP API; 0 picks a free port",
    }),
    maxBytes: Type.Integer({
      minimum: 64 * 1024,
      default: 64 * MiB,
      description:
        'Bound on the estimated bytes of every trace held, pending or kept (see store/estimate.ts); past it the oldest kept traces go first',
    }),
    maxBodyBytes: Type.Integer({
      minimum: 1024,
      default: 4 * MiB,
      description: 'Largest export request accepted (413 past it), compressed and once decompressed',
    }),
    decisionWaitMs: Type.Integer({
      minimum: 0,
      default: 5000,
      description:
        "How long after a trace's last span arrived it is decided (the tail_sampling processor's decision_wait)",
    }),
    decisionTickMs: Type.Integer({
      minimum: 1,
      default: 250,
      description: 'How often traces due for a decision are looked for',
    }),
    sampleShare: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.1,
      description:
        'Share of the traces no other rule keeps that is kept anyway, chosen by trace id (the same trace always)',
    }),
    keepEvents: Type.Array(Type.String({ minLength: 1 }), {
      default: ['chaos.injected'],
      description: 'A trace with a span event of one of these names is kept',
    }),
    latencyWindowMs: Type.Integer({
      minimum: 1000,
      default: 5 * 60_000,
      description: "How far back a route's latency p99 looks (a trace is kept when its root is slower)",
    }),
    latencySlots: Type.Integer({
      minimum: 1,
      maximum: 120,
      default: 10,
      description: 'Slices of that window; the oldest slides out whole',
    }),
    latencyMinSamples: Type.Integer({
      minimum: 1,
      default: 50,
      description: 'Durations a route needs in its window before "above its p99" means anything',
    }),
    latencyMaxRoutes: Type.Integer({
      minimum: 1,
      default: 500,
      description: 'Routes whose latency is followed; the least recently seen goes first',
    }),
    droppedMemory: Type.Integer({
      minimum: 0,
      default: 10_000,
      description: 'Ids of dropped traces remembered, so their late spans are dropped too (and counted in maxBytes)',
    }),
    searchDefaultLimit: Type.Integer({
      minimum: 1,
      default: 20,
      description: '`limit` of a search that names none (Tempo: 20)',
    }),
    searchMaxLimit: Type.Integer({ minimum: 1, default: 1000, description: 'Largest `limit` a search may ask for' }),
  },
  { additionalProperties: false },
)
export type TraceStoreConfig = Static<typeof TraceStoreConfig>
export type TraceStoreOptions = Partial<TraceStoreConfig>

export class TraceStoreConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid trace store configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'TraceStoreConfigError'
  }
}

const OPTIONS = Object.keys(TraceStoreConfig.properties)

/** The options with their defaults filled in; every bad one named at once. */
export function resolveConfig(options: TraceStoreOptions = {}): TraceStoreConfig {
  const problems = Object.keys(options)
    .filter((key) => !OPTIONS.includes(key))
    .map((key) => notOneOf(key, OPTIONS, 'trace store option'))
  const known = Object.fromEntries(Object.entries(options).filter(([key]) => OPTIONS.includes(key)))
  const config = Value.Default(TraceStoreConfig, structuredClone(known)) as TraceStoreConfig
  for (const error of Value.Errors(TraceStoreConfig, config)) {
    const option = error.path.split('/')[1] ?? ''
    problems.push(`${option} (${envName(option)}): ${error.message} (got ${JSON.stringify(error.value)})`)
  }
  if (config.searchDefaultLimit > config.searchMaxLimit) {
    problems.push(
      `searchDefaultLimit (${config.searchDefaultLimit}) is above searchMaxLimit (${config.searchMaxLimit})`,
    )
  }
  if (problems.length > 0) throw new TraceStoreConfigError(problems)
  return config
}

const PREFIX = 'TRACE_STORE_'
/** `maxBytes` → TRACE_STORE_MAX_BYTES. */
export const envName = (option: string) => PREFIX + option.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()

/** The options set in the environment (numbers parsed, lists comma-separated); unknown TRACE_STORE_* named. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): TraceStoreOptions {
  const byName = new Map(OPTIONS.map((option) => [envName(option), option]))
  const problems: string[] = []
  const options: Record<string, unknown> = {}
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || text === undefined || text === '') continue
    const option = byName.get(name)
    if (option === undefined) {
      problems.push(notOneOf(name, [...byName.keys()], 'trace store variable'))
      continue
    }
    const schema = TraceStoreConfig.properties[option as keyof TraceStoreConfig]
    options[option] =
      schema.type === 'array'
        ? text
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean)
        : Value.Convert(schema, text)
  }
  if (problems.length > 0) throw new TraceStoreConfigError(problems)
  return options as TraceStoreOptions
}
