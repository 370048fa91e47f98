import { runService } from '@food/service-kit'
import { shutdownTelemetry } from '@food/telemetry'
import { buildApp } from './app.ts'
import { loadRestaurantConfig } from './config.ts'

await runService({ loadConfig: loadRestaurantConfig, buildApp, onClosed: shutdownTelemetry })
