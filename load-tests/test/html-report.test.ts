import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { htmlReport } from '../src/html-report.ts'
import { type RunReport, runScenario } from '../src/runner.ts'
import { scenarioNamed } from '../src/scenarios/index.ts'
import { chromium } from './chromium.ts'

describe('the HTML report', () => {
  let fleet: TestFleet
  let report: RunReport
  let file: string
  beforeAll(async () => {
    fleet = await startFleet({ RECOVERY_ENABLED: 'true', RECOVERY_INTERVAL_MS: '200', PENDING_TIMEOUT_S: '3' })
    await fleet.restaurant.createMenu(1)
    report = await runScenario(scenarioNamed('payment-chaos') as NonNullable<ReturnType<typeof scenarioNamed>>, {
      targets: {
        user: fleet.user.baseUrl,
        restaurant: fleet.restaurant.baseUrl,
        order: fleet.order.baseUrl,
        restaurantInternal: fleet.restaurant.baseUrl,
      },
      durationS: 2,
      concurrency: 3,
      maxRequests: 1000,
      settleTimeoutS: 30,
      serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
    })
    file = join(await mkdtemp(join(tmpdir(), 'report-')), 'report.html')
    await writeFile(file, htmlReport(report))
  }, 60_000)
  afterAll(() => fleet.close())

  it('is one self-contained file: no script or style from the network', () => {
    const html = htmlReport(report)
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/)
    expect(html).toContain('uPlot')
    expect(html).toContain('PASS: every invariant held')
  })

  it('renders its three charts in headless Chromium', () => {
    const run = chromium(['--dump-dom', `file://${file}`])
    expect(run.stdout).toContain('data-rendered="true"')
    expect(run.stdout.match(/<canvas/g)?.length).toBe(3)
    expect(run.stdout).toContain('payment_fail=30')
  }, 60_000)
})
