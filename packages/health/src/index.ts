export { type HealthPluginOptions, healthPlugin, type ReadinessCheck } from './health-plugin.ts'
