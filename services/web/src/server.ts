import { ConfigError } from '@food/config'
import closeWithGrace from 'close-with-grace'
import { buildWebApp } from './app.ts'
import { loadWebConfig, type WebConfig } from './config.ts'
import { STATIC_DIR } from './static-dir.ts'

let config: WebConfig
try {
  config = loadWebConfig()
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(error.message)
  process.exit(1)
}
const app = await buildWebApp(config, STATIC_DIR)
closeWithGrace({ delay: 10_000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'closing after an error')
  await app.close()
})
await app.listen({ port: config.PORT, host: config.HOST })
