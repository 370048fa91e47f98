export { type MetricsPluginOptions, type MetricsRegistry, metricsPlugin } from './metrics-plugin.ts'
export { type GaugeReading, type ReadingGaugeOptions, readingGauge } from './reading-gauge.ts'
export { traceExemplar } from './trace-exemplar.ts'
