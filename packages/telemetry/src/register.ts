/**
 * Loaded with `node --import tsx --import @food/telemetry/register`, before the service's own
 * modules, so the instrumentations patch fastify, pg, ioredis and undici as they load.
 */
import { register } from 'node:module'
import { startTelemetry, telemetryWanted } from './sdk.ts'

// With nothing to export to, not even the loader hook: nothing of OpenTelemetry stays on the path.
if (telemetryWanted()) {
  // ESM imports are patched through this loader hook; CommonJS requires need no hook.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url)
  startTelemetry()
}
