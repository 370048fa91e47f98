import { FLEET_SERVICES } from '@food/config'
import { TOXIC_TYPES } from '@food/fault-proxy/toxics'
import { describe, expect } from 'vitest'
import { PROCESS_ACTIONS } from '../src/experiment/format.ts'
import {
  type AnswerKeyEntry,
  DEPENDENCY_KEY,
  NO_SYMPTOM,
  PROCESS_KEY,
  SWITCH_KEY,
  TOXIC_KEY,
} from '../src/record/answer-key.ts'
import { experimentEnv } from './experiment-env.ts'
import { recordFault } from './fault-record.ts'
import { FLEET_START_MS, test } from './fixtures.ts'

const SERVICES = FLEET_SERVICES

test.override('fleetEnv', {
  order: {
    RESTAURANT_TIMEOUT_MS: '1000',
    RECOVERY_ENABLED: 'true',
    RECOVERY_INTERVAL_MS: '200',
    PENDING_TIMEOUT_S: '3',
    RELEASE_BACKOFF_MS: '100',
  },
})
test.beforeAll(({ proxiedFleet }) => proxiedFleet.fleet.restaurant.createMenu(1), FLEET_START_MS)

describe('the answer key', () => {
  test('knows every fault the fleet can inject', async ({ proxiedFleet: { fleet } }) => {
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
    expect(Object.keys(DEPENDENCY_KEY).sort()).toEqual(['hold-lock', 'redis-pause', 'terminate-sessions'])
  })

  test('sees each fault’s symptom in its record, during its window and not before: no dead switch', async ({
    proxiedFleet: { fleet, apiUrl },
  }) => {
    const entries = [
      ...Object.entries(SWITCH_KEY),
      ...Object.entries(TOXIC_KEY).map(([toxic, entry]) => [`${String(entry.inject.edge)}/${toxic}`, entry] as const),
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
  }, 600_000)
})
