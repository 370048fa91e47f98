import { ConfigError } from '@food/config'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import type { BaseServiceConfig } from './base-service-config.ts'

/** What runService reads of a configuration: where to listen. */
type ListenConfig = Pick<BaseServiceConfig, 'HOST' | 'PORT'>

export interface RunServiceOptions<Config extends ListenConfig> {
  loadConfig: () => Config
  buildApp: (config: Config) => Promise<FastifyInstance>
  /** Runs after the server closed, e.g. to flush telemetry. */
  onClosed?: () => Promise<void>
}

const SHUTDOWN_DEADLINE_MS = 10_000

/**
 * The whole of a service's `server.ts` (and the web server's): load configuration (a bad variable stops the process
 * with a message naming it), build the app, listen, and close gracefully on SIGINT/SIGTERM so
 * in-flight requests finish and pools close. A second signal, or a slow close, exits at once.
 */
export async function runService<Config extends ListenConfig>(options: RunServiceOptions<Config>) {
  let config: Config
  try {
    config = options.loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(error.message)
    process.exit(1)
  }
  const app = await options.buildApp(config)
  // close-with-grace: SIGINT/SIGTERM (and an uncaught error) close the app once, with a deadline;
  // a second signal exits at once.
  closeWithGrace({ delay: SHUTDOWN_DEADLINE_MS }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an uncaught error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
    await options.onClosed?.()
  })
  await app.listen({ host: config.HOST, port: config.PORT })
}
