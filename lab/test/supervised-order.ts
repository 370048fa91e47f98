import { fileURLToPath } from 'node:url'
import {
  createDatabaseFromTemplate,
  freePort,
  startSupervised,
  TYPESCRIPT_ENTRY,
  uniqueRedisPrefix,
} from '@food/testing'
import { inject } from 'vitest'

const ORDER_DIR = fileURLToPath(new URL('../../services/order', import.meta.url))

/**
 * The order service as npm start runs it: a child of the supervisor (reached through its
 * Docker-Engine-like API, `supervised.url`), on the same port each time it starts, with a database
 * of its own. `env`: where the other services are, and the settings the test wants.
 */
export async function startSupervisedOrder(env: Record<string, string>) {
  const database = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templates').order as string)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const supervised = await startSupervised([
    {
      name: 'order',
      command: process.execPath,
      args: TYPESCRIPT_ENTRY,
      cwd: ORDER_DIR,
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: database.url,
        REDIS_URL: inject('redisUrl'),
        REDIS_KEY_PREFIX: uniqueRedisPrefix('order'),
        ...env,
      },
    },
  ])
  const ready = () => readyAt(url)
  await ready()
  return {
    url,
    supervised,
    databaseUrl: database.url,
    /** Resolves once it answers its readiness probe (again, after a kill). */
    ready,
    stop: async () => {
      await supervised.stop()
      await database.drop()
    },
  }
}

async function readyAt(url: string) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the supervised order service at ${url} did not get ready`)
}
