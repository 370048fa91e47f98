import { runService } from '@food/service-kit'
import { shutdownTelemetry } from '@food/telemetry'
import { buildApp } from './app.ts'
import { loadOrderConfig } from './config.ts'

await runService({ loadConfig: loadOrderConfig, buildApp, onClosed: shutdownTelemetry })
