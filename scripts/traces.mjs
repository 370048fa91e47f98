// npm start's trace store (docs/observability.md): OTLP/HTTP where a collector listens (4318) and
// Tempo's API where Tempo does (3200), on loopback; the services trace into it unless told elsewhere.
import { portFrom, ROOT, spawn } from './lib.mjs'

export const TRACE_STORE = {
  name: 'traces',
  otlpPort: portFrom('TRACE_STORE_OTLP_PORT', 4318),
  apiPort: portFrom('TRACE_STORE_API_PORT', 3200),
}

/** Whether npm start runs the store: not with TRACING=off, nor when the user sends the traces elsewhere. */
export function tracingPlan(env = process.env) {
  if (env.TRACING === 'off') return { off: 'TRACING=off: the services make no spans' }
  const elsewhere = env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  if (elsewhere) return { elsewhere }
  return { store: TRACE_STORE }
}

/** The ports it listens on, for npm start's check before it starts. */
export const tracePorts = () => [
  { port: TRACE_STORE.otlpPort, what: 'the trace store’s OTLP receiver (TRACE_STORE_OTLP_PORT)' },
  { port: TRACE_STORE.apiPort, what: 'the trace store’s Tempo API (TRACE_STORE_API_PORT)' },
]

/**
 * What the services are given: where their spans go (the store's receiver), and the tail sampler,
 * which sends the store only the traces it would keep (docs/observability.md#which-traces-are-kept).
 */
export const tracingEnv = (plan, env = process.env) =>
  plan.store
    ? {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${TRACE_STORE.otlpPort}`,
        OTEL_TRACES_SAMPLER: env.OTEL_TRACES_SAMPLER || 'tail',
      }
    : {}

/** The store's process (packages/trace-store/src/server.ts). */
export const startTraceStore = () =>
  spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: `${ROOT}/packages/trace-store`,
    env: {
      ...process.env,
      TRACE_STORE_OTLP_PORT: String(TRACE_STORE.otlpPort),
      TRACE_STORE_API_PORT: String(TRACE_STORE.apiPort),
      // The services have sampled already (tail): the store keeps what it is sent.
      TRACE_STORE_SAMPLE_SHARE: process.env.TRACE_STORE_SAMPLE_SHARE || '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
