import { ConfigError } from '@food/config'
import type { FastifyInstance } from 'fastify'
import type { BaseServiceConfig } from './base-service-config.ts'

export interface RunServiceOptions<Config extends BaseServiceConfig> {
  loadConfig: () => Config
  buildApp: (config: Config) => Promise<FastifyInstance>
  /** Runs after the server closed, e.g. to flush telemetry. */
  onClosed?: () => Promise<void>
}

const SHUTDOWN_DEADLINE_MS = 10_000

/**
 * The whole of a service's `server.ts`: load configuration (a bad variable stops the process
 * with a message naming it), build the app, listen, and close gracefully on SIGINT/SIGTERM so
 * in-flight requests finish and pools close. A second signal, or a slow close, exits at once.
 */
export async function runService<Config extends BaseServiceConfig>(options: RunServiceOptions<Config>) {
  let config: Config
  try {
    config = options.loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
  const app = await options.buildApp(config)
  let closing = false
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn({ signal }, 'second signal, exiting now')
      process.exit(1)
    }
    closing = true
    app.log.info({ signal }, 'shutting down')
    setTimeout(() => {
      app.log.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms, exiting`)
      process.exit(1)
    }, SHUTDOWN_DEADLINE_MS).unref()
    try {
      await app.close()
      await options.onClosed?.()
      process.exit(0)
    } catch (error) {
      app.log.error({ err: error }, 'shutdown failed')
      process.exit(1)
    }
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  await app.listen({ host: config.HOST, port: config.PORT })
}
