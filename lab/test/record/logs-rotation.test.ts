/**
 * A record's log lines when the log file rotates during the run (#36: the services' log files
 * rotate by size, LOG_FILE_MAX_BYTES): the user service as npm start runs it, a process of its own
 * writing its LOG_FILE with a small bound; the run's every request line is collected once, from
 * the marked file under its rotated name, the newer rotated files and the file itself, and no line
 * from before the mark.
 */
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChildService, createDatabaseFromTemplate, spawnService, uniqueRedisPrefix } from '@food/testing'
import { ROOT } from '@food/testing/run-cli'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { collectLogs, markLogs } from '../../src/record/logs.ts'

let service: ChildService
let dir: string
const dropped: (() => Promise<void>)[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-logs-rotation-'))
  const database = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templates').user as string)
  dropped.push(database.drop)
  service = await spawnService(join(ROOT, 'services', 'user'), {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: uniqueRedisPrefix('user'),
    LOG_LEVEL: 'info',
    LOG_FILE: join(dir, 'user.log'),
    LOG_FILE_MAX_BYTES: '4096',
    LOG_FILE_KEEP: '50',
  })
}, 60_000)
afterAll(async () => {
  await service?.stop()
  for (const drop of dropped) await drop()
})

/** Requests whose 'request completed' lines carry `X-Request-Id: <prefix>-<n>`. */
async function requests(prefix: string, count: number) {
  for (let n = 0; n < count; n++) {
    const answer = await fetch(`${service.baseUrl}/users/me`, { headers: { 'X-Request-Id': `${prefix}-${n}` } })
    expect(answer.status).toBeLessThan(500)
  }
}

describe('a run’s log lines across a rotation of the log file', () => {
  it('are every request line of the run, once each, in order; none from before the mark', async () => {
    await requests('before', 30)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const source = await markLogs(dir)
    const fromMs = Date.now()
    await requests('run', 200)
    const untilMs = Date.now()
    // pino writes asynchronously: the last lines land soon after their answers.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const rotated = (await readdir(dir)).filter((name) => name.startsWith('user.log.'))
    expect(rotated.length).toBeGreaterThan(3)

    const lines: Record<string, unknown>[] = []
    const collected = await collectLogs(
      source as NonNullable<typeof source>,
      { fromMs: fromMs - 60_000, untilMs: untilMs + 60_000 },
      (line) => lines.push(JSON.parse(line)),
    )
    expect(collected).toMatchObject({ files: ['user.log'], skipped: 0 })
    const ids = lines.filter((line) => line.msg === 'request completed').map((line) => line.request_id)
    expect(ids).toEqual(Array.from({ length: 200 }, (_, n) => `run-${n}`))
  })
})
