import { telemetryWanted } from './wanted.ts'

/**
 * Flushes spans still buffered; called by the service on its way out. Imports the SDK only when
 * it runs (the register hook started it), so a service without telemetry never loads it.
 */
export async function shutdownTelemetry(): Promise<void> {
  if (!telemetryWanted()) return
  const { shutdownTelemetry } = await import('./sdk.ts')
  await shutdownTelemetry()
}
