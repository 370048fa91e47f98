import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MetricsTable } from '../src/bundle/metric-columns.ts'
import { writeBundle } from '../src/bundle/write-bundle.ts'
import { type RunOptions, runScenario } from '../src/runner.ts'
import { scenarioRecord } from '../src/scenario-record.ts'
import { SCENARIOS, scenarioNamed } from '../src/scenarios/index.ts'

// The recoverer runs fast here, so orders left half-way are settled within the test; timeouts are
// generous, so that a noisy machine does not turn the counted outcomes into 504s.
const FAST_RECOVERY = {
  RECOVERY_ENABLED: 'true',
  RECOVERY_INTERVAL_MS: '200',
  PENDING_TIMEOUT_S: '3',
  USER_TIMEOUT_MS: '5000',
}

const options = (fleet: TestFleet, durationS: number): RunOptions => ({
  targets: {
    user: fleet.user.baseUrl,
    restaurant: fleet.restaurant.baseUrl,
    order: fleet.order.baseUrl,
    restaurantInternal: fleet.restaurant.baseUrl,
  },
  durationS,
  concurrency: 4,
  maxRequests: 2000,
  settleTimeoutS: 30,
  serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
})

describe('every scenario, short, against the real fleet', () => {
  let fleet: TestFleet
  beforeAll(async () => {
    fleet = await startFleet(FAST_RECOVERY)
    await fleet.restaurant.createMenu(1) // the scenarios add their menus to an existing restaurant
  })
  afterAll(() => fleet.close())

  it.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))(
    '%s keeps every invariant',
    async (_name, scenario) => {
      const report = await runScenario(scenario, options(fleet, scenario.chaos.length > 1 ? 4 : 2))
      expect(report.requests).toBeGreaterThan(10)
      expect(report.invariants.filter((invariant) => !invariant.ok)).toEqual([])
      expect(report.ok).toBe(true)
      // Faults were cleared at the end, whatever happened.
      for (const service of [fleet.user, fleet.restaurant, fleet.order]) {
        expect((await service.call('GET', '/chaos')).body.faults).toEqual({})
      }
    },
    60_000,
  )

  it('reports what happened: statuses, reasons, chaos windows, a timeline', async () => {
    const report = await runScenario(
      scenarioNamed('payment-chaos') as NonNullable<ReturnType<typeof scenarioNamed>>,
      options(fleet, 2),
    )
    expect(report.statuses['201']).toBeGreaterThan(0)
    expect(report.reasons.payment_failed).toBeGreaterThan(0)
    expect(report.chaos).toEqual([
      { service: 'order', fault: 'payment_fail', value: 30, fromS: expect.any(Number), untilS: expect.any(Number) },
    ])
    expect(report.timeline.length).toBeGreaterThan(0)
    expect(report.endpoints['POST /orders']?.count).toBeGreaterThan(0)
  }, 60_000)

  it('leaves a record as an experiment does: ground truth, metrics, report and verdict with its phases', async () => {
    const metrics = new MetricsTable(1000)
    const report = await runScenario(scenarioNamed('payment-chaos') as NonNullable<ReturnType<typeof scenarioNamed>>, {
      ...options(fleet, 4),
      metrics,
    })
    const dir = join(await mkdtemp(join(tmpdir(), 'scenario-record-')), 'payment-chaos')
    await writeBundle(dir, scenarioRecord(report, new Date(), { metrics }))
    const read = async (file: string) => JSON.parse(await readFile(join(dir, file), 'utf8'))
    expect((await readdir(dir)).sort()).toEqual([
      'README.md',
      'injection.json',
      'logs.jsonl',
      'metrics.csv',
      'report.json',
      'traces.jsonl',
      'verdict.json',
    ])
    expect((await read('report.json')).scenario).toBe('payment-chaos')
    expect((await read('injection.json')).injections).toEqual([
      expect.objectContaining({ target: { kind: 'switch', service: 'order' }, fault: 'payment_fail', value: 30 }),
    ])
    const verdict = await read('verdict.json')
    expect(verdict).toMatchObject({ status: 'completed', hypothesis: { before: null } })
    expect(verdict.phases.map((phase: { phase: string }) => phase.phase)).toContain('fault')
    const fault = verdict.phases.find((phase: { phase: string }) => phase.phase === 'fault')
    expect(fault.outcomes['201 payment_failed']).toBeGreaterThan(0)
    const [header, ...rows] = (await readFile(join(dir, 'metrics.csv'), 'utf8')).trim().split('\n')
    expect(header).toContain('order_request_rate')
    expect(rows.length).toBeGreaterThanOrEqual(4)
  }, 60_000)

  it('sells exactly the stock when demand is larger', async () => {
    const report = await runScenario(
      scenarioNamed('concurrent-orders') as NonNullable<ReturnType<typeof scenarioNamed>>,
      {
        ...options(fleet, 3),
        concurrency: 10,
      },
    )
    expect(report.statuses['201']).toBe(50)
    expect(report.reasons.OUT_OF_STOCK).toBeGreaterThan(0)
    expect(report.ok).toBe(true)
  }, 60_000)
})

describe('a broken invariant', () => {
  let fleet: TestFleet
  beforeAll(async () => {
    // The restaurant loses updates on purpose (test-only strategy without any lock).
    fleet = await startFleet(FAST_RECOVERY, { STOCK_LOCK_STRATEGY: 'unsafe', ALLOW_UNSAFE_STOCK_STRATEGY: 'true' })
    await fleet.restaurant.createMenu(1)
  })
  afterAll(() => fleet.close())

  it('is caught by the runner, which reports FAIL', async () => {
    const scenario = scenarioNamed('concurrent-orders') as NonNullable<ReturnType<typeof scenarioNamed>>
    const report = await runScenario({ ...scenario, stock: 100_000 }, { ...options(fleet, 3), concurrency: 16 })
    expect(report.ok).toBe(false)
    const broken = report.invariants.filter((invariant) => !invariant.ok).map((invariant) => invariant.name)
    expect(broken).toContain('initial = stock + units in CONFIRMED orders')
  }, 60_000)
})
