/**
 * Every k6 script of load-tests/k6, run briefly (a tenth of its durations, iterations and VUs) by
 * the k6-compatible runtime against the real fleet with the dev seed and the recoverer on: a wrong
 * field name, a check that cannot pass, a threshold on a metric never emitted or a broken
 * invariant at teardown fails here, not in a user's first run.
 */
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runScript } from '@food/k6-runtime/runner'
import { FLEET_START_MS, fleetTest, seedDevData, type TestFleet } from '@food/order-service/test-fleet'
import { describe, expect, it } from 'vitest'

const K6 = fileURLToPath(new URL('../k6', import.meta.url))
const SCRIPTS = readdirSync(K6).filter((file) => file.endsWith('.js') && !['lib.js', 'chaos-plan.js'].includes(file))
const SCALE = 0.1

// The recoverer runs, quickly: the scripts' teardown waits for every order to settle.
fleetTest.override('fleetEnv', { order: { RECOVERY_ENABLED: 'true', RECOVERY_INTERVAL_MS: '500' } })
// The file's helpers share the fixture's fleet; the fixture closes it after the last test.
let fleet: TestFleet
let env: Record<string, string>
fleetTest.beforeAll(async ({ fleet: started }) => {
  fleet = started
  await seedDevData(fleet)
  env = {
    USER_URL: fleet.user.baseUrl,
    RESTAURANT_URL: fleet.restaurant.baseUrl,
    ORDER_URL: fleet.order.baseUrl,
    SERVICE_TOKEN: fleet.restaurant.config.SERVICE_TOKEN,
  }
}, FLEET_START_MS)

describe('the k6 scripts, run against the fleet', () => {
  it.each(SCRIPTS)(
    '%s passes its checks, its thresholds and its invariants',
    async (file) => {
      const result = await runScript({ script: `${K6}/${file}`, env, scale: SCALE })
      console.log(`k6 run ${file} (scale ${SCALE}):\n${result.summary}`)
      expect(result.setupError).toBeUndefined()
      expect(result.aborted).toBeUndefined() // verify() aborts on a broken invariant
      expect(result.thresholds.filter((threshold) => !threshold.ok)).toEqual([])
      expect(result.metrics.samples('iterations').length).toBeGreaterThan(0)
      // Where the script sets no threshold on checks, every check must pass.
      if (!result.thresholds.some((threshold) => threshold.metric === 'checks')) {
        expect(result.checks.filter((check) => check.fails > 0)).toEqual([])
      }
      expect(result.ok).toBe(true)
    },
    180_000,
  )
})
