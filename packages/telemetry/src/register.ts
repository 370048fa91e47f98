/**
 * Loaded with `node --import tsx --import @food/telemetry/register`, before the service's own
 * modules, so the instrumentations patch fastify, pg, ioredis and undici as they load.
 */
import { register } from 'node:module'
import { startTelemetry } from './sdk.ts'

// With the SDK disabled, not even the loader hook: nothing of OpenTelemetry stays on the path.
if (process.env.OTEL_SDK_DISABLED !== 'true') {
  // ESM imports are patched through this loader hook; CommonJS requires need no hook.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url)
  startTelemetry()
}
