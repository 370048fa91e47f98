/**
 * Alerts in experiments (#38, docs/alerts.md), against a real Prometheus and Alertmanager with the
 * fleet's rules: the `alert` probe (firing or not, from either), an alert a probe names that does
 * not exist refused before anything runs, and the record's alerts.jsonl and time to page.
 */
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePorts } from '@food/testing'
import { afterAll, expect } from 'vitest'
import { checkFaults } from '../src/experiment/fleet-plane.ts'
import { readExperiment } from '../src/experiment/load-file.ts'
import { experimentRecord } from '../src/experiment/record.ts'
import { runExperiment } from '../src/experiment/run.ts'
import { FleetClient } from '../src/fleet/fleet-client.ts'
import { Recorder } from '../src/fleet/recorder.ts'
import { MetricsTable } from '../src/record/metric-columns.ts'
import { writeRecord } from '../src/record/write-record.ts'
import { experimentEnv, fleetTargets } from './experiment-env.ts'
import { FLEET_START_MS, test } from './fixtures.ts'
import { type Monitoring, startMonitoring } from './monitoring.ts'

let planes: Monitoring & { webhookPort: number }
afterAll(() => planes?.close())
test.override('fleetEnv', { order: { RECOVERY_ENABLED: 'true', RECOVERY_INTERVAL_MS: '200' } })
test.beforeAll(async ({ fleet }) => {
  // Every second, as the test's timings say; Alertmanager notifies the run's webhook, on a port of the test's own.
  const [webhookPort = 0] = await freePorts(1)
  const webhook = `http://127.0.0.1:${webhookPort}/alerts`
  planes = { ...(await startMonitoring(fleet, { intervalS: 1, webhook })), webhookPort }
  await fleet.restaurant.createMenu(1)
}, FLEET_START_MS)

const noPage = (source: 'prometheus' | 'alertmanager') => ({
  type: 'probe',
  name: `no page fires (${source})`,
  tolerance: 0,
  provider: { type: 'alert', labels: { severity: 'page' }, source },
})

test('a hypothesis that no page fires deviates when a fault pages; the record keeps the alerts and the time to page', async ({
  fleet,
}) => {
  const experiment = {
    title: 'every payment fails for 10 s',
    'steady-state-hypothesis': { title: 'no page', probes: [noPage('prometheus'), noPage('alertmanager')] },
    method: [
      {
        type: 'action',
        name: 'orders',
        background: true,
        provider: { type: 'fleet', action: 'load', profile: 'order', duration_s: 30, concurrency: 3 },
      },
      {
        type: 'action',
        name: 'payments fail',
        pauses: { before: 5 },
        provider: { type: 'fleet', action: 'fault', service: 'order', fault: 'payment_fail', value: 100, ttl_s: 10 },
      },
      {
        type: 'probe',
        name: 'the page comes',
        pauses: { after: 10 },
        provider: { type: 'alert', alert: 'OrdersCompletedBudgetBurn', wait_s: 20 },
      },
    ],
    rollbacks: [{ type: 'action', name: 'clear', provider: { type: 'fleet', action: 'clear-faults' } }],
  }
  const metrics = new MetricsTable(1000)
  const journal = await runExperiment(
    readExperiment(JSON.stringify(experiment), 'paged.json', experimentEnv(fleet, planes)),
    { scale: 1, hypothesisFrequencyS: 2, serviceToken: fleet.restaurant.config.SERVICE_TOKEN, metrics },
  )
  expect(journal.steady_states.before?.steady_state_met).toBe(true)
  expect(journal.deviated).toBe(true)
  const failed = journal.steady_states.during.flatMap((state) =>
    state.probes.filter((probe) => !probe.tolerance_met).map((probe) => probe.activity.name),
  )
  expect(failed).toEqual(expect.arrayContaining(['no page fires (prometheus)', 'no page fires (alertmanager)']))
  // Paged within the fault's first 20 s (windows of 10 s, a scrape and an evaluation every second).
  expect(journal.time_to_page_s).not.toBeNull()
  expect(journal.time_to_page_s).toBeLessThan(20)
  const page = journal.alerts.find((change) => change.state === 'firing' && change.labels.severity === 'page')
  expect(page).toMatchObject({ alert: 'OrdersCompletedBudgetBurn', labels: { sloth_slo: 'orders-completed' } })
  // The method waited for the page, and Alertmanager's notification of it reached the run's webhook.
  expect(journal.run.find((done) => done.activity.name === 'the page comes')?.output).toBeGreaterThan(0)
  const notified = journal.alerts.find((change) => change.source === 'alertmanager' && change.state === 'firing')
  expect(notified).toMatchObject({ alert: 'OrdersCompletedBudgetBurn', starts_at: expect.any(String) })
  expect(journal.time_to_page_s).toBe(
    Math.round(((notified?.at_s ?? 0) - (journal.fault_windows[0]?.from_s ?? 0)) * 10) / 10,
  )
  // The budget burned: the run's failed share over the run's part of the 1 h (compressed) period.
  const seconds = Math.max(1, Math.round((Date.parse(journal.end) - Date.parse(journal.start)) / 1000))
  const completed = journal.error_budgets?.find((budget) => budget.slo === 'order-orders-completed')
  expect(completed?.error_ratio).toBeGreaterThan(0.05)
  expect(completed?.budget_burned).toBeCloseTo(((completed?.error_ratio ?? 0) * seconds) / 3600 / 0.01, 2)
  expect(journal.error_budgets?.find((budget) => budget.slo === 'order-orders-answered')?.budget_burned).toBe(0)

  const dir = join(await mkdtemp(join(tmpdir(), 'paged-')), 'record')
  await writeRecord(dir, experimentRecord(journal, { metrics }))
  const lines = (await readFile(join(dir, 'alerts.jsonl'), 'utf8')).trim().split('\n')
  expect(lines.map((line) => JSON.parse(line))).toEqual(journal.alerts)
  expect(JSON.parse(await readFile(join(dir, 'verdict.json'), 'utf8')).time_to_page_s).toBe(journal.time_to_page_s)
}, 120_000)

test('refuses an alert probe naming an alert Prometheus does not have, with the closest', async ({ fleet }) => {
  const loaded = readExperiment(
    JSON.stringify({
      title: 'typo',
      'steady-state-hypothesis': {
        title: 'quiet',
        probes: [{ type: 'probe', name: 'q', tolerance: 0, provider: { type: 'alert', alert: 'ServiceDwon' } }],
      },
      method: [{ type: 'probe', name: 'p', provider: { type: 'http', url: `${fleet.order.baseUrl}/health` } }],
    }),
    'typo.json',
    experimentEnv(fleet, planes),
  )
  const client = new FleetClient(fleetTargets(fleet), new Recorder())
  const { problems } = await checkFaults(loaded, client)
  await client.close()
  expect(problems).toEqual([
    {
      path: '/steady-state-hypothesis/probes/0/provider/alert',
      message: expect.stringMatching(
        /^`ServiceDwon` is not an alert Prometheus has loaded: .* — did you mean `ServiceDown`\?$/,
      ),
    },
  ])
})
