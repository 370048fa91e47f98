export { buildApi } from './api/app.ts'
export { parseGoDuration } from './api/go-duration.ts'
export { parseLogfmt } from './api/logfmt.ts'
export {
  envName,
  optionsFromEnv,
  resolveConfig,
  TraceStoreConfig,
  TraceStoreConfigError,
  type TraceStoreOptions,
} from './config.ts'
export { TraceStoreMetrics } from './metrics.ts'
export { AnyValue, KeyValue, Resource, ResourceSpans, Scope, Span } from './otlp/model.ts'
export { buildReceiver } from './otlp/receiver.ts'
export { type RunningTraceStore, startTraceStore } from './start.ts'
export { TraceStore } from './store/store.ts'
export type { KeepReason } from './store/trace.ts'
