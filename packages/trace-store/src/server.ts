/**
 * The trace store as a process (`node --import tsx packages/trace-store/src/server.ts`): OTLP/HTTP
 * on 127.0.0.1:4318 and Tempo's API on 127.0.0.1:3200, where Tempo listens, unless told otherwise
 * by TRACE_STORE_* variables (TRACE_STORE_OTLP_PORT, TRACE_STORE_API_PORT, TRACE_STORE_HOST,
 * TRACE_STORE_MAX_BYTES…: config.ts). Its start and stop logged as lines of JSON.
 */
import { optionsFromEnv, TraceStoreConfigError } from './config.ts'
import { startTraceStore } from './start.ts'

const log = (level: string, msg: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ level, time: new Date().toISOString(), service: 'trace-store', msg, ...fields }))

try {
  const running = await startTraceStore(optionsFromEnv())
  const { maxBytes, decisionWaitMs, sampleShare, keepEvents } = running.config
  log('info', 'trace store ready', {
    otlp: `${running.otlpUrl}/v1/traces`,
    api: running.apiUrl,
    maxBytes,
    decisionWaitMs,
    sampleShare,
    keepEvents,
  })
  const stop = async () => {
    await running.close()
    log('info', 'trace store stopped')
    process.exit(0)
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
} catch (error) {
  log('error', error instanceof TraceStoreConfigError ? error.message : `cannot start: ${(error as Error).message}`)
  process.exit(error instanceof TraceStoreConfigError ? 2 : 1)
}
