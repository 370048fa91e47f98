/**
 * Alert coverage, measured (#38 item 4, docs/alerts.md#coverage), the short version of `npm run
 * alerts -- coverage|quiet`: faults of the answer key alone under the shop load, each caught by an
 * alert its entry names, on a real Prometheus and Alertmanager with the fleet's rules scraping every
 * 2 s as npm start's does; healthy shopping that fires nothing; every alert the key names exists.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOT } from '@food/testing/run-cli'
import { afterAll, expect } from 'vitest'
import { parse } from 'yaml'
import { coverageTable, measureCoverage } from '../src/alerts/coverage.ts'
import { measureQuiet } from '../src/alerts/quiet.ts'
import { ANSWER_KEY } from '../src/record/answer-key.ts'
import { experimentEnv } from './experiment-env.ts'
import { FLEET_START_MS, test } from './fixtures.ts'
import { type Monitoring, startMonitoring } from './monitoring.ts'

const RULES = join(ROOT, 'infra/prometheus/rules')
/** One fault of each kind of alert: an SLO's page, a cause's page, a cause's ticket. */
const SHORT = ['order/payment_fail', 'order-restaurant/reset_peer', 'restaurant/inventory_delay']

let monitoring: Monitoring
afterAll(() => monitoring?.close())
test.beforeAll(async ({ proxiedFleet: { fleet } }) => {
  monitoring = await startMonitoring(fleet)
}, FLEET_START_MS)

test('every alert the answer key names is a rule of infra/prometheus/rules, and every fault names one', async () => {
  const files = (await readdir(RULES)).filter((file) => file.endsWith('.yml'))
  const alerts = new Set<string>()
  for (const file of files) {
    const { groups } = parse(await readFile(join(RULES, file), 'utf8')) as { groups: { rules: { alert?: string }[] }[] }
    for (const rule of groups.flatMap((group) => group.rules)) if (rule.alert) alerts.add(rule.alert)
  }
  expect(ANSWER_KEY.filter(([, entry]) => entry.alerts.length === 0).map(([name]) => name)).toEqual([])
  expect(ANSWER_KEY.flatMap(([, entry]) => entry.alerts).filter((alert) => !alerts.has(alert))).toEqual([])
})

test('healthy shopping for 40 s fires no alert', async ({ proxiedFleet: { fleet, apiUrl } }) => {
  const quiet = await measureQuiet({
    env: experimentEnv(fleet, { toxiproxy: apiUrl, prometheus: monitoring.prometheus }),
    serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
    durationS: 40,
    concurrency: 3,
  })
  console.log(`quiet: ${quiet.requests} requests; pending, never fired: ${quiet.pending.join(', ') || 'none'}`)
  expect(quiet.status).toBe('completed')
  expect(quiet.requests).toBeGreaterThan(100)
  expect(quiet.fired).toEqual([])
}, 120_000)

test('each fault is caught by an alert its entry names, within 60 s of its start', async ({
  proxiedFleet: { fleet, apiUrl },
}) => {
  const rows = await measureCoverage(
    ANSWER_KEY.filter(([name]) => SHORT.includes(name)),
    {
      env: experimentEnv(fleet, { toxiproxy: apiUrl, prometheus: monitoring.prometheus }),
      serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
      deadlineS: 60,
      warmS: 5,
      settleS: 120,
      concurrency: 3,
    },
  )
  console.log(coverageTable(rows, 60))
  expect(rows.map((row) => [row.fault, row.problem ?? null]).sort()).toEqual(SHORT.map((fault) => [fault, null]).sort())
  for (const row of rows) {
    expect(row.expected).toContain(row.caught?.alert)
    expect(row.caught?.after_s).toBeGreaterThanOrEqual(0)
    expect(row.caught?.after_s).toBeLessThanOrEqual(60)
  }
}, 400_000)
