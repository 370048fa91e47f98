/**
 * Starts a trace store: the OTLP receiver and the API, each on its port (0: a free one), both on
 * one store; `close()` stops both. What `npm start` and the tests call.
 */
import type { FastifyInstance } from 'fastify'
import { buildApi } from './api/app.ts'
import { resolveConfig, type TraceStoreConfig, type TraceStoreOptions } from './config.ts'
import { TraceStoreMetrics } from './metrics.ts'
import { buildReceiver } from './otlp/receiver.ts'
import { TraceStore } from './store/store.ts'

export interface RunningTraceStore {
  /** The receiver's base URL, what OTEL_EXPORTER_OTLP_ENDPOINT takes (spans go to `${otlpUrl}/v1/traces`). */
  otlpUrl: string
  /** The Tempo API's base URL (`${apiUrl}/api/search`). */
  apiUrl: string
  config: TraceStoreConfig
  store: TraceStore
  metrics: TraceStoreMetrics
  close(): Promise<void>
}

const urlOf = (app: FastifyInstance) => {
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the trace store is not listening on TCP')
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}

export async function startTraceStore(options: TraceStoreOptions = {}): Promise<RunningTraceStore> {
  const config = resolveConfig(options)
  let store: TraceStore | undefined
  const metrics = new TraceStoreMetrics(() => store, config.maxBytes)
  store = new TraceStore(config, metrics.observer())
  const receiver = buildReceiver({ store, metrics, maxBodyBytes: config.maxBodyBytes })
  const api = await buildApi({ store, metrics, config })
  try {
    await receiver.listen({ host: config.host, port: config.otlpPort })
    await api.listen({ host: config.host, port: config.apiPort })
  } catch (error) {
    await Promise.allSettled([receiver.close(), api.close()])
    throw error
  }
  store.start()
  const running = store
  return {
    otlpUrl: urlOf(receiver),
    apiUrl: urlOf(api),
    config,
    store: running,
    metrics,
    async close() {
      running.stop()
      await Promise.allSettled([receiver.close(), api.close()])
    },
  }
}
