export { type MetricsPluginOptions, metricsPlugin } from './metrics-plugin.ts'
