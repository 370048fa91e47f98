/**
 * No dead switch: every fault of the fleet's chaos planes, and every network fault on the
 * order → restaurant edge, switched on alone for 4 s under load as an experiment whose record is
 * written as `npm run experiment` writes it; its symptom (the answer key) must show in the
 * record's metrics.csv during the fault's window of injection.json, and not before it. A fault the
 * key does not know fails too.
 */
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildToxiproxyApi, type FaultProxy } from '@food/fault-proxy'
import { TOXIC_TYPES } from '@food/fault-proxy/toxics'
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import type { FastifyInstance } from 'fastify'
import { Toxiproxy } from 'toxiproxy-node-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AnswerKeyEntry, NO_SYMPTOM, SWITCH_KEY, symptomShown, TOXIC_KEY } from '../src/bundle/answer-key.ts'
import type { InjectionFile } from '../src/bundle/injection.ts'
import { MetricsTable } from '../src/bundle/metric-columns.ts'
import { experimentRecord, writeBundle } from '../src/bundle/write-bundle.ts'
import { readExperiment } from '../src/experiment/load-file.ts'
import { runExperiment } from '../src/experiment/run.ts'

const SERVICES = ['user', 'restaurant', 'order'] as const

let fleet: TestFleet
let api: FastifyInstance
let apiUrl: string
let dir: string
const proxies = new Map<string, FaultProxy>()

beforeAll(async () => {
  api = buildToxiproxyApi({ proxies })
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' })
  const toxiproxy = new Toxiproxy(apiUrl)
  fleet = await startFleet(async ({ restaurant }) => {
    const edge = await toxiproxy.createProxy({
      name: 'order-restaurant',
      listen: '127.0.0.1:0',
      upstream: new URL(restaurant.baseUrl).host,
    })
    return {
      RESTAURANT_SERVICE_URL: `http://${edge.listen}`,
      FAULT_PROXY_URL: apiUrl,
      RESTAURANT_TIMEOUT_MS: '1000',
      RECOVERY_ENABLED: 'true',
      RECOVERY_INTERVAL_MS: '200',
      PENDING_TIMEOUT_S: '3',
      RELEASE_BACKOFF_MS: '100',
    }
  })
  await fleet.restaurant.createMenu(1)
  dir = await mkdtemp(join(tmpdir(), 'answer-key-'))
}, 60_000)
afterAll(async () => {
  await fleet?.close()
  await api?.close()
})

/**
 * The fault alone, on from 2 s for 4 s, under 3 users for 8 s; the record it leaves, read back.
 * (4 s: a row's rates span 2.5 s, and a slowed service answers few requests, so a shorter fault
 * leaves no row whose median is the fault's alone.)
 */
async function record(name: string, entry: AnswerKeyEntry) {
  const experiment = {
    title: `answer key: ${name}`,
    method: [
      {
        type: 'action',
        name: 'the load',
        background: true,
        provider: { type: 'fleet', action: 'load', profile: entry.profile, duration_s: 8, concurrency: 3 },
      },
      {
        type: 'action',
        name,
        pauses: { before: 2 },
        provider: { type: 'fleet', ...entry.inject, ttl_s: 4 },
      },
    ],
    rollbacks: [{ type: 'action', name: 'clear every fault', provider: { type: 'fleet', action: 'clear-faults' } }],
  }
  const loaded = readExperiment(JSON.stringify(experiment), `${name}.json`, {
    USER_URL: fleet.user.baseUrl,
    RESTAURANT_URL: fleet.restaurant.baseUrl,
    ORDER_URL: fleet.order.baseUrl,
    TOXIPROXY_URL: apiUrl,
  })
  const metrics = new MetricsTable(1000)
  const journal = await runExperiment(loaded, {
    scale: 1,
    hypothesisFrequencyS: 5,
    serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
    metrics,
  })
  const bundle = join(dir, name.replaceAll('/', '-'))
  await writeBundle(bundle, experimentRecord(journal, { metrics }))
  return {
    status: journal.status,
    truth: JSON.parse(await readFile(join(bundle, 'injection.json'), 'utf8')) as InjectionFile,
    csv: await readFile(join(bundle, 'metrics.csv'), 'utf8'),
  }
}

describe('the answer key', () => {
  it('knows every fault the fleet can inject', async () => {
    const switches = (
      await Promise.all(
        SERVICES.map(async (service) => {
          const { available } = (await fleet[service].call('GET', '/chaos')).body as { available: { name: string }[] }
          return available.map((fault) => `${service}/${fault.name}`)
        }),
      )
    ).flat()
    expect(switches.length).toBeGreaterThan(0)
    expect(switches.filter((fault) => !(fault in SWITCH_KEY))).toEqual([])
    expect(TOXIC_TYPES.filter((toxic) => !(toxic in TOXIC_KEY) && !(toxic in NO_SYMPTOM))).toEqual([])
    expect(TOXIC_KEY.down).toBeDefined()
  })

  it('sees each fault’s symptom in its record, during its window and not before: no dead switch', async () => {
    const entries = [
      ...Object.entries(SWITCH_KEY),
      ...Object.entries(TOXIC_KEY).map(([toxic, entry]) => [`order-restaurant/${toxic}`, entry] as const),
    ] as [string, AnswerKeyEntry][]
    const dead: string[] = []
    for (const [name, entry] of entries) {
      const { status, truth, csv } = await record(name, entry)
      const [injection] = truth.injections
      if (status !== 'completed' || !injection || truth.injections.length !== 1) {
        dead.push(`${name}: the run ${status}, ${truth.injections.length} faults applied`)
        continue
      }
      const seen = symptomShown(csv, injection, entry.symptom)
      console.log(
        `${name}: ${entry.symptom.column} before ${JSON.stringify(seen.before)}, during ${JSON.stringify(seen.during)}`,
      )
      if (!seen.shown) dead.push(`${name}: no sign of "${entry.symptom.says}" in ${entry.symptom.column}`)
    }
    expect(dead).toEqual([])
  }, 300_000)
})
