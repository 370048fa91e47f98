/**
 * Loaded with `node --import tsx --import @food/telemetry/register`, before the service's own
 * modules, so the instrumentations patch fastify, pg, ioredis and undici as they load.
 */
import { register } from 'node:module'
import { telemetryWanted } from './wanted.ts'

// With nothing to export to, not even the loader hook, and the SDK is never imported: its 700
// modules took a third of a compiled service's start-up and about 30 MB of its memory.
if (telemetryWanted()) {
  // ESM imports are patched through this loader hook; CommonJS requires need no hook.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url)
  const { startTelemetry } = await import('./sdk.ts')
  startTelemetry()
}
