import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { freePort } from '@food/testing'
import { Redis } from 'ioredis'

/**
 * A Redis server of a test's own (Debian's `redis-server`, no persistence, loopback, a free port),
 * for faults that would stall every client of a shared one, such as CLIENT PAUSE.
 */
export async function startPrivateRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort()
  const server: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  const failed = once(server, 'error').then(([error]) => {
    throw new Error(`redis-server could not start (it is needed for Redis' own faults): ${(error as Error).message}`)
  })
  const url = `redis://127.0.0.1:${port}`
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      client.on('error', () => {})
      try {
        await client.connect()
        if ((await client.ping()) === 'PONG') return
      } catch {
      } finally {
        client.disconnect()
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`redis-server did not answer on ${url}`)
  })()
  await Promise.race([ready, failed])
  return {
    url,
    stop: async () => {
      if (server.exitCode !== null || server.signalCode !== null) return
      const exited = once(server, 'exit')
      server.kill('SIGTERM')
      await exited
    },
  }
}
