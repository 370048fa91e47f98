/**
 * No dead switch: every fault of the fleet's chaos planes, and every network fault on the
 * order → restaurant edge, switched on alone for 4 s under load as an experiment whose record is
 * written as `npm run experiment` writes it; its symptom (the answer key) must show in the
 * record's metrics.csv during the fault's window of injection.json, and not before it. A fault the
 * key does not know fails too. (The process and dependency faults are recorded the same way in
 * process-faults.test.ts and dependency-faults.test.ts, where their fleets are.)
 */
import { buildToxiproxyApi, type FaultProxy } from '@food/fault-proxy'
import { TOXIC_TYPES } from '@food/fault-proxy/toxics'
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import type { FastifyInstance } from 'fastify'
import { Toxiproxy } from 'toxiproxy-node-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AnswerKeyEntry,
  DEPENDENCY_KEY,
  NO_SYMPTOM,
  PROCESS_KEY,
  SWITCH_KEY,
  TOXIC_KEY,
} from '../src/bundle/answer-key.ts'
import { PROCESS_ACTIONS } from '../src/experiment/format.ts'
import { experimentEnv } from './experiment-env.ts'
import { recordFault } from './fault-record.ts'

const SERVICES = ['user', 'restaurant', 'order'] as const

let fleet: TestFleet
let api: FastifyInstance
let apiUrl: string
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
}, 60_000)
afterAll(async () => {
  await fleet?.close()
  await api?.close()
})

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
    // The process and dependency faults' keys are checked where their fleets are
    // (process-faults.test.ts, dependency-faults.test.ts).
    expect(Object.keys(PROCESS_KEY).sort()).toEqual([...PROCESS_ACTIONS].sort())
    expect(Object.keys(DEPENDENCY_KEY).sort()).toEqual(['redis-pause', 'terminate-sessions'])
  })

  it('sees each fault’s symptom in its record, during its window and not before: no dead switch', async () => {
    const entries = [
      ...Object.entries(SWITCH_KEY),
      ...Object.entries(TOXIC_KEY).map(([toxic, entry]) => [`order-restaurant/${toxic}`, entry] as const),
    ] as [string, AnswerKeyEntry][]
    const dead: string[] = []
    for (const [name, entry] of entries) {
      const recorded = await recordFault(name, entry, {
        env: experimentEnv(fleet, { toxiproxy: apiUrl }),
        serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
      })
      if (recorded.dead) dead.push(recorded.dead)
    }
    expect(dead).toEqual([])
  }, 300_000)
})
