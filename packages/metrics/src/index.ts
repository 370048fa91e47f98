export { type MetricsPluginOptions, type MetricsRegistry, metricsPlugin } from './metrics-plugin.ts'
export { traceExemplar } from './trace-exemplar.ts'
