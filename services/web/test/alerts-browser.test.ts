/// <reference lib="dom" />
/**
 * The console's "Firing alerts" in headless Chromium, over the seeded fleet and a real Prometheus
 * of the test's own whose rules fire at once: the alert, its severity and summary, its runbook, and
 * the link that opens its expression in Prometheus' graph page. Screenshots at 1280 and 390 px
 * (screenshots/ with SCREENSHOTS=update, as browser.test.ts).
 */
import { execFileSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPrometheus } from './prometheus.ts'
import { startWebFleet } from './web-fleet.ts'

const SCREENSHOTS =
  process.env.SCREENSHOTS === 'update'
    ? fileURLToPath(new URL('../screenshots/', import.meta.url))
    : join(tmpdir(), `web-alert-screenshots-${process.pid}/`)

// What a burning SLO and a cause look like: a page that fires now, a ticket pending for a minute.
const RULES = `groups:
  - name: web-browser-test
    rules:
      - alert: OrdersAnsweredBudgetBurn
        expr: label_replace(vector(0.08), "sloth_slo", "orders-answered", "", "") > (14.4 * 0.005)
        labels: { severity: page, sloth_service: order }
        annotations:
          summary: "order orders-answered: the error budget burns too fast (page)"
          description: "POST /orders answered without a 5xx: {{ $value | humanizePercentage }} of events failed over the short window, above 14.4 or 6 times the 0.5% budget."
          runbook_url: docs/alerts.md#ordersansweredbudgetburn
      - alert: CacheErrors
        expr: label_replace(vector(3), "service", "restaurant", "", "")
        for: 1m
        labels: { severity: ticket }
        annotations:
          summary: "the restaurant service's Redis calls fail"
          description: "3 cache operations a second fail: the service reads through to PostgreSQL."
          runbook_url: docs/alerts.md#cacheerrors
`

let prometheus: Awaited<ReturnType<typeof startPrometheus>>
let setup: Awaited<ReturnType<typeof startWebFleet>>
let browser: Browser

beforeAll(async () => {
  prometheus = await startPrometheus(RULES)
  setup = await startWebFleet({ PROMETHEUS_URL: prometheus.url })
  const executablePath = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim()
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
  await mkdir(SCREENSHOTS, { recursive: true })
})
afterAll(async () => {
  await browser?.close()
  await setup?.close()
  await prometheus?.stop()
})

/** The console at `width` px, once its alerts panel shows both alerts. */
async function consoleAt(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } })
  await page.goto(`${setup.url}/#/chaos`)
  await expect.poll(() => page.locator('.alerts li').count(), { timeout: 10_000 }).toBe(2)
  await page.locator('.faults').first().waitFor()
  return page
}

describe('the chaos console’s firing alerts', () => {
  it('shows the firing page and the pending ticket, with severity, summary, since when, runbook and graph link', async () => {
    const page = await consoleAt(1280)
    const exprs = await prometheus.exprs()
    const expr = exprs['OrdersAnsweredBudgetBurn page'] ?? ''
    expect(await page.locator('#alerts-title').textContent()).toBe('Firing alerts 1 firing · 1 pending')
    const fired = page.locator('[data-alert="OrdersAnsweredBudgetBurn"]')
    expect(await fired.locator('.severity').textContent()).toBe('page')
    expect(await fired.locator('.summary').textContent()).toBe(
      'order orders-answered: the error budget burns too fast (page)',
    )
    expect(await fired.textContent()).toContain('8% of events failed')
    expect(await fired.locator('[data-since]').textContent()).toMatch(/^firing · active \d+ s, since \d\d:\d\d:\d\d\b/)
    expect(await fired.textContent()).toContain('sloth_service=order · sloth_slo=orders-answered')

    const graph = fired.getByRole('link', { name: 'Graph its expression in Prometheus ↗' })
    const href = (await graph.getAttribute('href')) ?? ''
    expect(href).toBe(`${prometheus.url}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0`)
    expect(href).toContain(encodeURIComponent('label_replace(vector(0.08), "sloth_slo"'))
    expect(await graph.getAttribute('title')).toBe(expr)

    // The runbook, folded: its text from docs/alerts.md; opened, it stays open through the refreshes.
    const runbook = fired.locator('details.runbook')
    expect(await runbook.locator('summary').textContent()).toBe('Runbook (docs/alerts.md#ordersansweredbudgetburn)')
    await runbook.locator('summary').click()
    await new Promise((resolve) => setTimeout(resolve, 2500))
    expect(await fired.locator('details.runbook').getAttribute('open')).toBe('')
    expect(await fired.locator('details.runbook').textContent()).toContain('POST /orders answers 5xx')
    expect(await fired.locator('details.runbook code').first().textContent()).toBe('POST /orders')

    const pending = page.locator('[data-alert="CacheErrors"]')
    expect(await pending.locator('.severity').textContent()).toBe('ticket')
    expect(await pending.locator('[data-since]').textContent()).toMatch(/^pending · active \d+ s/)
    await page.screenshot({ path: `${SCREENSHOTS}console-alerts.png` })

    // The link opens Prometheus' graph page with the expression in it.
    const [graphPage] = await Promise.all([page.context().waitForEvent('page'), graph.click()])
    await graphPage.waitForLoadState()
    expect(graphPage.url()).toContain(`g0.expr=${encodeURIComponent(expr)}`)
    await expect.poll(() => graphPage.locator('textarea').first().inputValue(), { timeout: 10_000 }).toBe(expr)
    await page.close()
  })

  it('reads well on a 390 px phone: no sideways scroll, each alert within the screen', async () => {
    const page = await consoleAt(390)
    const sideways = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    )
    expect(sideways).toBe(false)
    const outside = await page
      .locator('.alerts li')
      .evaluateAll((items) => items.filter((item) => item.getBoundingClientRect().right > 390).length)
    expect(outside).toBe(0)
    await page.locator('.alerts').screenshot({ path: `${SCREENSHOTS}console-alerts-390.png` })
    await page.close()
  })
})
