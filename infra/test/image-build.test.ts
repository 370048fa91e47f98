import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { cp, mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { answersSoon, createDatabaseFromTemplate, freePort, uniqueRedisPrefix } from '@food/testing'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { INFRA } from './config-files.ts'

/**
 * No Docker engine here: the Dockerfile's build stage is replayed outside Docker instead, on a
 * copy of what its COPY lines take, and the service is started from the pruned tree through the
 * image's entry point and command. This proves the production-only install is enough to run.
 */
const ROOT = join(INFRA, '..')
const SERVICE = 'order'
// The pinned pnpm that `npm test` found or installed (it may not be on PATH).
const pnpm = process.env.FLEET_PNPM ?? 'pnpm'

let child: ChildProcess | undefined
let dropDatabase: (() => Promise<void>) | undefined
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
  await dropDatabase?.()
})

describe(`the Dockerfile, replayed for the ${SERVICE} service`, () => {
  it('builds a production-only tree that migrates and serves', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8')
    const build = dockerfile.slice(dockerfile.indexOf('AS build'), dockerfile.indexOf('AS runtime'))
    // Every source of every COPY line (the last word of each is its destination).
    const copied = [...build.matchAll(/^COPY (.+)$/gm)].flatMap((match) =>
      (match[1] as string).split(/\s+/).slice(0, -1),
    )
    const work = await mkdtemp(join(tmpdir(), 'image-'))
    for (const path of copied) {
      await cp(join(ROOT, path as string), join(work, path as string), {
        recursive: true,
        filter: (source) => !/node_modules|generated/.test(source),
      })
    }
    const commands = [...build.replace(/\\\n/g, ' ').matchAll(/^RUN (.+)$/gm)].map((match) =>
      (match[1] as string)
        .replaceAll(`\${SERVICE}`, SERVICE)
        .replace(/^pnpm /, `"${pnpm}" `)
        .replaceAll('&& pnpm ', `&& "${pnpm}" `),
    )
    expect(commands.length).toBeGreaterThanOrEqual(3)
    for (const command of commands) {
      const run = spawnSync('sh', ['-c', command], {
        cwd: work,
        encoding: 'utf8',
        env: { ...process.env, npm_config_prefer_offline: 'true', CI: 'true' },
      })
      expect(run.status, `${command}\n${run.stdout}\n${run.stderr}`).toBe(0)
    }
    const service = join(work, 'services', SERVICE)
    expect(existsSync(join(service, 'src/db/generated/client.ts'))).toBe(true)
    expect(existsSync(join(service, 'node_modules/prisma'))).toBe(false) // a devDependency
    expect(existsSync(join(service, 'node_modules/vitest'))).toBe(false)
    expect(existsSync(join(work, 'services/user'))).toBe(false)

    // An empty database: the entry point must migrate it before the service starts.
    const database = await createDatabaseFromTemplate(inject('postgresUrl'), 'template0')
    dropDatabase = database.drop
    const port = await freePort()
    const cmd =
      [...dockerfile.matchAll(/^CMD (\[.+\])$/gm)].map((match) => JSON.parse(match[1] as string) as string[])[0] ?? []
    child = spawn('sh', [join(work, 'docker/entrypoint.sh'), ...cmd], {
      cwd: service,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        REDIS_URL: inject('redisUrl'),
        REDIS_KEY_PREFIX: uniqueRedisPrefix('image'),
        RECOVERY_ENABLED: 'false',
      },
      stdio: 'ignore',
    })
    expect(await answersSoon(`http://127.0.0.1:${port}/health/ready`, child)).toBe(true)
  }, 180_000)
})
