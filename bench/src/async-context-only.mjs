/**
 * Imported first (`--import`) by the tracing section's "AsyncLocalStorage alone" arm
 * (tracing-cost.ts): an AsyncLocalStorage enabled and holding a value, as OpenTelemetry's context
 * manager keeps one, and nothing else of tracing. On Node 20 it runs a hook at every promise and
 * async resource the process makes: the part of tracing's cost no configuration of it takes off.
 */
import { AsyncLocalStorage } from 'node:async_hooks'

new AsyncLocalStorage().enterWith({ enabled: true })
