export { shutdownTelemetry, startTelemetry } from './sdk.ts'
