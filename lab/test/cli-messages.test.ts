/**
 * What the lab says when a user gets something wrong (#36 item 7), from the real CLIs and over
 * HTTP: an unknown option names the closest one, a bad value names itself and the valid ones,
 * each with the usage and exit code 2; an experiment file's every problem in one reading, the
 * fleet's (an edge the proxy lacks) with the file's own; a chaos route's enum names the value.
 * And where their files land (item 3): from where the user ran the command (INIT_CWD).
 */
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildToxiproxyApi, type FaultProxy } from '@food/fault-proxy'
import { ROOT, runCli } from '@food/testing/run-cli'
import { startUserService, type TestUserService } from '@food/user-service/test-service'
import type { FastifyInstance } from 'fastify'
import { Toxiproxy } from 'toxiproxy-node-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANSWER_KEY } from '../src/record/answer-key.ts'
import { NO_SERVER } from './experiment-env.ts'

const EXPERIMENT = 'lab/src/experiment/cli.ts'
const RUNS = 'lab/src/record/cli.ts'
const K6 = 'packages/k6-runtime/src/cli.ts'
const RESTOCK = 'lab/src/fleet/restock.ts'
const ALERTS = 'lab/src/alerts/cli.ts'

let api: FastifyInstance
let apiUrl: string
let user: TestUserService
let dir: string
// No plane of npm start's fleet: the user service is the test's, everything else answers nothing.
let env: Record<string, string>

beforeAll(async () => {
  api = buildToxiproxyApi({ proxies: new Map<string, FaultProxy>() })
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' })
  await new Toxiproxy(apiUrl).createProxy({ name: 'order-restaurant', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' })
  user = await startUserService({ FAULT_PROXY_URL: apiUrl })
  dir = await mkdtemp(join(tmpdir(), 'fleet-cli-'))
  env = {
    USER_URL: user.baseUrl,
    RESTAURANT_URL: NO_SERVER,
    ORDER_URL: NO_SERVER,
    TOXIPROXY_URL: apiUrl,
    FLEET_ENGINE_URL: NO_SERVER,
    PROMETHEUS_URL: NO_SERVER,
    ALERTMANAGER_URL: NO_SERVER,
    ALERT_WEBHOOK_PORT: 'off',
    TRACE_STORE_URL: NO_SERVER,
    RESTAURANT_SERVICE_URL: NO_SERVER,
  }
}, 60_000)
afterAll(async () => {
  await user?.close()
  await api?.close()
})

describe('a command line with a mistake', () => {
  it.each([
    [
      EXPERIMENT,
      ['x.json', '--scal', '2'],
      'unknown option --scal (did you mean --scale?)',
      'usage: npm run experiment',
    ],
    [
      RUNS,
      ['diff', 'a', 'b', '--max-p95-ris', '1'],
      'unknown option --max-p95-ris (did you mean --max-p95-rise?)',
      'usage: npm run runs',
    ],
    [K6, ['--scal', '0.1', 'x.js'], 'k6: unknown option --scal (did you mean --scale?)', 'npm run k6 -- [run] [flags]'],
    [RESTOCK, ['--stok', '5'], 'unknown option --stok (did you mean --stock?)', 'usage: npm run restock'],
  ])('%s: an unknown option names the closest, then the usage; exit 2', async (script, args, message, usage) => {
    const { code, output } = await runCli(script, args, env)
    expect(output).toContain(`${message}\n\n`)
    expect(output).toContain(usage)
    expect(output).not.toMatch(/TypeError| {4}at /)
    expect(code).toBe(2)
  })

  it.each([
    [EXPERIMENT, ['x.json', '--scale', 'abc'], '--scale takes a number in (0, 10], not `abc`'],
    [EXPERIMENT, ['x.json', '--seed', '1.5'], '--seed takes a whole number in [0, 4294967295], not `1.5`'],
    [EXPERIMENT, ['x.json', '--out'], '--out takes a value'],
    [
      EXPERIMENT,
      ['stomr'],
      '`stomr` is not an experiment: cache-effect, cancel-reorder, concurrent-orders, full-flow, latency, payment-chaos, storm — did you mean `storm`?',
    ],
    [
      EXPERIMENT,
      ['storm', '--gateway', 'http://example.com'],
      '--gateway sends load to this machine only (http://localhost), not `http://example.com`',
    ],
    [RUNS, ['dif', 'a', 'b'], '`dif` is not a command: diff — did you mean `diff`?'],
    [RUNS, ['diff', 'a', 'b', '--max-p95-rise', 'lots'], '--max-p95-rise takes a share (20% or 0.2), not `lots`'],
    [K6, ['--scale', '2', 'x.js'], 'k6: --scale takes 0 < factor ≤ 1, not 2'],
    [RESTOCK, ['--stock', 'many'], '--stock takes a whole number in [0, 2147483647], not `many`'],
    [ALERTS, ['coverag'], '`coverag` is not a command: coverage, quiet — did you mean `coverage`?'],
    [
      ALERTS,
      ['coverage', '--only', 'order/eror'],
      `--only: \`order/eror\` is not a fault: ${ANSWER_KEY.map(([name]) => name).join(', ')} — did you mean \`order/error\`?`,
    ],
    [ALERTS, ['quiet', '--duration', 'ten'], '--duration takes a number in [1, 86400], not `ten`'],
  ])('%s %j: a bad value names itself and the valid ones, then the usage; exit 2', async (script, args, message) => {
    const { code, output } = await runCli(script, args, env)
    expect(output).toContain(`${message}\n\n`)
    expect(output).toMatch(/usage:/i)
    expect(code).toBe(2)
  })

  it('tells npm run scenario’s users it is npm run experiment now, then names what it does not take', async () => {
    const { code, output } = await runCli(EXPERIMENT, ['storm', '--duration', '10'], {
      ...env,
      npm_lifecycle_event: 'scenario',
    })
    expect(output).toContain('npm run scenario is npm run experiment now')
    expect(output).toContain('unknown option --duration')
    expect(code).toBe(2)
  })

  it('an experiment file: every problem listed at once, the fleet’s with the file’s, each value with the closest valid one', async () => {
    const action = (provider: object) => ({ type: 'action', name: 'a', provider: { type: 'fleet', ...provider } })
    const file = join(dir, 'typos.json')
    await writeFile(
      file,
      JSON.stringify({
        title: 'typos',
        method: [
          action({ action: 'fault', service: 'ordr', fault: 'payment_fail', value: 30 }),
          action({ action: 'faultt', service: 'order', fault: 'payment_fail', value: 30 }),
          action({ action: 'toxic', edge: 'order-restaurnt', toxic: 'latency', attributes: { latencyy: 800 } }),
        ],
      }),
    )
    const { code, output } = await runCli(EXPERIMENT, [file, '--validate'], env)
    expect(output.trim().split('\n')).toEqual([
      `${file}: 4 problems`,
      '  /method/0/provider/service: `ordr` is not a service: user, restaurant, order — did you mean `order`?',
      '  /method/1/provider/action: `faultt` is not a fleet action: fault, toxic, edge-down, kill, pause, restart, redis-pause, hold-lock, terminate-sessions, clear-faults, load — did you mean `fault`?',
      '  /method/2/provider/attributes/latencyy: latency has no attribute "latencyy" (it has latency, jitter) — did you mean `latency`?',
      '  /method/2/provider/edge: the fault proxy has no edge "order-restaurnt" (it has order-restaurant) — did you mean `order-restaurant`?',
    ])
    expect(code).toBe(2)
  })
})

describe('a chaos route given a value its enum lacks', () => {
  it('names the value, the allowed ones and the closest, in the fleet’s error shape', async () => {
    // An edge of the order service, asked of the user service.
    const answer = await fetch(`${user.baseUrl}/chaos/network/order-redis`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    })
    const message =
      'params/edge: `order-redis` is not one of gateway-user, user-postgres, user-redis — did you mean `user-redis`?'
    expect({ status: answer.status, body: await answer.json() }).toEqual({
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_ERROR',
          message,
          details: [expect.objectContaining({ location: 'params', path: '/edge' })],
        },
        detail: message,
      },
    })
  })
})

describe('where the files land', () => {
  it('from the directory the user ran the command in (INIT_CWD), not the package manager’s, and shown from there', async () => {
    // As npm and pnpm run it: the script in load-tests/, the user elsewhere.
    const where = await mkdtemp(join(tmpdir(), 'fleet-user-'))
    await writeFile(
      join(where, 'ready.json'),
      JSON.stringify({
        title: 'ready',
        method: [{ type: 'probe', name: 'ready', provider: { type: 'http', url: `${user.baseUrl}/health/ready` } }],
      }),
    )
    const asUser = { ...env, INIT_CWD: where }
    const loadTests = join(ROOT, 'load-tests')
    const given = await runCli(EXPERIMENT, ['ready.json', '--out', 'out/a', '--html', 'page.html'], asUser, loadTests)
    expect(given.code, given.output).toBe(0)
    expect(given.output).toContain('\nrecord: out/a\n')
    expect(given.output).toContain('\npage: page.html\n')
    expect((await stat(join(where, 'out/a/verdict.json'))).isFile()).toBe(true)
    expect(await readFile(join(where, 'page.html'), 'utf8')).toContain('<html')

    const byDefault = await runCli(EXPERIMENT, ['ready.json'], asUser, loadTests)
    expect(byDefault.code, byDefault.output).toBe(0)
    const shown = /\nrecord: (runs\/\S+)\n/.exec(byDefault.output)?.[1]
    expect(shown, byDefault.output).toBeDefined()
    expect(await readdir(join(where, 'runs'))).toEqual([shown?.slice('runs/'.length)])

    // What was printed is what the next command takes, from the same place.
    const diff = await runCli(RUNS, ['diff', 'out/a', shown as string], asUser, loadTests)
    expect(diff.output).not.toContain('no such record')
    expect(diff.output).toContain('within the thresholds')
    expect(diff.code).toBe(0)
  })
})
