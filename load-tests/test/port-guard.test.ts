/**
 * No test touches a fleet it did not start: every process of a test run loads the port guard,
 * which refuses a connection to a port of the fleet `npm start` runs and writes it down, and the
 * run then fails (packages/testing/src/port-guard-reporter.ts).
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'

it('is loaded into every process the tests start, through NODE_OPTIONS', () => {
  expect(process.env.NODE_OPTIONS).toContain('port-guard.mjs')
  expect(process.env.FLEET_PORT_GUARD_LOG).toBeTruthy()
})

it('refuses a connection to the fleet’s default ports and writes it down, leaving other ports alone', async () => {
  const log = join(await mkdtemp(join(tmpdir(), 'port-guard-')), 'guard.log')
  // A child as a test's CLI or service is: it inherits NODE_OPTIONS; its own log keeps this run clean.
  const script = `
    const attempt = (url) => fetch(url).then(() => 'answered', (error) => String(error.cause?.message ?? error.message))
    console.log(JSON.stringify({
      proxy: await attempt('http://127.0.0.1:8474/proxies'),
      engine: await attempt('http://localhost:8475/containers/json'),
      elsewhere: await attempt('http://127.0.0.1:9/'),
    }))`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, FLEET_PORT_GUARD_LOG: log },
    encoding: 'utf8',
  })
  const seen = JSON.parse(child.stdout) as Record<string, string>
  expect(seen.proxy).toMatch(/^port guard: a test connected to 127\.0\.0\.1:8474/)
  expect(seen.engine).toMatch(/^port guard: a test connected to localhost:8475/)
  expect(seen.elsewhere).not.toMatch(/port guard/)
  const lines = (await readFile(log, 'utf8')).trim().split('\n')
  expect(lines).toEqual([
    expect.stringContaining('127.0.0.1:8474, a port of the fleet npm start runs'),
    expect.stringContaining('localhost:8475, a port of the fleet npm start runs'),
  ])
})
