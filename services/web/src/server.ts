import { runService } from '@food/service-kit'
import { buildWebApp } from './app.ts'
import { loadWebConfig } from './config.ts'
import { STATIC_DIR } from './static-dir.ts'

await runService({ loadConfig: loadWebConfig, buildApp: (config) => buildWebApp(config, STATIC_DIR) })
