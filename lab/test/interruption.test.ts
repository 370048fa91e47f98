import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildToxiproxyApi, type FaultProxy } from '@food/fault-proxy'
import { startRestaurantService } from '@food/restaurant-service/test-service'
import { ROOT, spawnCollecting } from '@food/testing/run-cli'
import { startUserService } from '@food/user-service/test-service'
import type { FastifyInstance } from 'fastify'
import { Toxiproxy } from 'toxiproxy-node-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InjectionFile } from '../src/record/injection.ts'
import { experimentEnv } from './experiment-env.ts'
import { startSupervisedOrder } from './supervised-order.ts'

let user: Awaited<ReturnType<typeof startUserService>>
let restaurant: Awaited<ReturnType<typeof startRestaurantService>>
let order: Awaited<ReturnType<typeof startSupervisedOrder>>
let supervised: Awaited<ReturnType<typeof startSupervisedOrder>>['supervised']
let api: FastifyInstance
let apiUrl: string
let orderUrl: string
const proxies = new Map<string, FaultProxy>()

beforeAll(async () => {
  user = await startUserService()
  restaurant = await startRestaurantService()
  await restaurant.createMenu(1)
  api = buildToxiproxyApi({ proxies })
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' })
  const edge = await new Toxiproxy(apiUrl).createProxy({
    name: 'order-restaurant',
    listen: '127.0.0.1:0',
    upstream: new URL(restaurant.baseUrl).host,
  })
  order = await startSupervisedOrder({
    USER_SERVICE_URL: user.baseUrl,
    RESTAURANT_SERVICE_URL: `http://${edge.listen}`,
    SERVICE_TOKEN: restaurant.config.SERVICE_TOKEN,
    FAULT_PROXY_URL: apiUrl,
  })
  ;({ supervised, url: orderUrl } = order)
}, 90_000)
afterAll(async () => {
  await order?.stop()
  await api?.close()
  await restaurant?.close()
  await user?.close()
})

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000) {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if (await condition().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('timed out')
}

/**
 * A CLI as `npm run` runs it (`node --import tsx`, no tsx process in between: tsx's relay
 * SIGKILLs a child that does not answer a signal within 30 ms), in a process group of its own,
 * which a signal is sent to whole, as a terminal does.
 */
function startCli(script: string, args: string[], npmScript?: string) {
  // Through npm too, as a user types it: npm forwards the group's signal, which then arrives twice.
  const [command, argv] = npmScript
    ? ['npm', ['run', '--silent', npmScript, '--', ...args]]
    : [process.execPath, ['--import', 'tsx', script, ...args]]
  return spawnCollecting(command, argv, {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      ...experimentEnv(
        { user, restaurant, order: { baseUrl: orderUrl } },
        { toxiproxy: apiUrl, engine: supervised.url },
      ),
      SERVICE_TOKEN: restaurant.config.SERVICE_TOKEN,
    },
  })
}

/** Whether any process of the group is still running. */
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}
const orderFaults = async () => ((await (await fetch(`${orderUrl}/chaos`)).json()) as { faults: object }).faults
const toxics = async () =>
  (await (await fetch(`${apiUrl}/proxies/order-restaurant/toxics`)).json()) as { name: string }[]
const orderState = async () => (await supervised.engine('GET', '/containers/order/json')).body.State.Status as string

describe.each([
  ['SIGINT', 'node'],
  ['SIGTERM', 'node'],
  ['SIGHUP', 'node'],
  ['SIGINT', 'npm run'],
] as const)('%s to the process group of %s', (signal, via) => {
  it('ends npm run experiment with its faults undone, the paused process resumed first, and an aborted record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'interrupted-'))
    const file = join(dir, 'interrupted.json')
    const fault = (name: string, provider: object) => ({
      type: 'action',
      name,
      provider: { type: 'fleet', ...provider },
    })
    await writeFile(
      file,
      JSON.stringify({
        title: 'interrupted',
        method: [
          {
            ...fault('the load', { action: 'load', profile: 'order', duration_s: 60, concurrency: 2 }),
            background: true,
          },
          fault('payments fail', { action: 'fault', service: 'order', fault: 'payment_fail', value: 50, ttl_s: 120 }),
          fault('a slow edge', {
            action: 'toxic',
            edge: 'order-restaurant',
            toxic: 'latency',
            attributes: { latency: 20 },
            ttl_s: 120,
          }),
          { ...fault('the order service paused', { action: 'pause', service: 'order', duration_s: 60 }) },
        ],
        rollbacks: [fault('clear', { action: 'clear-faults' })],
      }),
    )
    const recordDir = join(dir, 'recordDir')
    const cli = startCli(
      'lab/src/experiment/cli.ts',
      [file, '--out', recordDir],
      via === 'npm run' ? 'experiment' : undefined,
    )
    await until(async () => (await orderState()) === 'paused' && (await toxics()).length === 1, 60_000)
    process.kill(-(cli.child.pid as number), signal)
    const code = await cli.exited
    // npm leaves on the signal itself; the runner it started goes on to its rollbacks and record.
    await until(async () => !groupAlive(cli.child.pid as number))
    expect(cli.output()).not.toContain('leaving without waiting')
    if (via === 'node') expect(code).toBe(1)
    expect(await orderState()).toBe('running')
    expect(await orderFaults()).toEqual({})
    expect(await toxics()).toEqual([])
    const verdict = JSON.parse(await readFile(join(recordDir, 'verdict.json'), 'utf8'))
    expect(verdict.status).toBe('aborted')
    // Each in force until the interruption undid it: the pause first, the rest by the rollback.
    const truth = JSON.parse(await readFile(join(recordDir, 'injection.json'), 'utf8')) as InjectionFile
    expect(truth.injections.map((injection) => [injection.fault, injection.ended_by])).toEqual([
      ['payment_fail', 'cleared'],
      ['latency', 'cleared'],
      ['pause', 'switched off'],
    ])
  }, 120_000)
})

it('ends an experiment named as npm run scenario named it on one SIGINT to its group, its faults off, its record aborted', async () => {
  const out = join(await mkdtemp(join(tmpdir(), 'interrupted-storm-')), 'record')
  const cli = startCli('lab/src/experiment/cli.ts', ['storm', '--out', out])
  await until(async () => Object.keys(await orderFaults()).length > 0, 60_000)
  process.kill(-(cli.child.pid as number), 'SIGINT')
  expect(await cli.exited).toBe(1)
  expect(await orderFaults()).toEqual({})
  const verdict = JSON.parse(await readFile(join(out, 'verdict.json'), 'utf8'))
  expect(verdict.status).toBe('aborted')
}, 120_000)

it('ends npm run k6 on one SIGINT as k6 does: no new iterations, the teardown switches the faults off, exit 105', async () => {
  const urls = ['USER_URL', 'RESTAURANT_URL', 'ORDER_URL'].flatMap((name) => [
    '-e',
    `${name}=${({ USER_URL: user.baseUrl, RESTAURANT_URL: restaurant.baseUrl, ORDER_URL: orderUrl } as Record<string, string>)[name]}`,
  ])
  const cli = startCli('packages/k6-runtime/src/cli.ts', [
    'run',
    ...urls,
    '-e',
    `SERVICE_TOKEN=${restaurant.config.SERVICE_TOKEN}`,
    '--scale',
    '0.3',
    'load-tests/k6/payment-chaos.js',
  ])
  await until(async () => Object.keys(await orderFaults()).length > 0, 90_000)
  process.kill(-(cli.child.pid as number), 'SIGINT')
  expect(await cli.exited).toBe(105)
  expect(cli.output()).toContain('test aborted: interrupted')
  expect(await orderFaults()).toEqual({})
}, 180_000)
