export const ENDPOINT_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']
const EXPORTER_VARIABLES = ['OTEL_TRACES_EXPORTER', 'OTEL_METRICS_EXPORTER', 'OTEL_LOGS_EXPORTER']

/**
 * Whether the SDK has anywhere to send what it records: an OTLP endpoint, or an exporter named
 * explicitly (`console`, `zipkin`…). Without one, instrumenting would only cost time: about a
 * third of a cached read's throughput, for spans nobody can see.
 */
export function telemetryWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false
  return (
    ENDPOINT_VARIABLES.some((name) => env[name]) || EXPORTER_VARIABLES.some((name) => env[name] && env[name] !== 'none')
  )
}
