import { runService } from '@food/service-kit'
import { shutdownTelemetry } from '@food/telemetry'
import { buildApp } from './app.ts'
import { loadUserConfig } from './config.ts'

await runService({ loadConfig: loadUserConfig, buildApp, onClosed: shutdownTelemetry })
