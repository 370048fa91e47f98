/**
 * GET /api/alerts (the console's "Firing alerts") against a real Prometheus evaluating rules of
 * this test's own, and without one: 200 and a clear state, never a 500.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { freePort } from '@food/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activeFor, countWords, graphUrl } from '../app/alerts.ts'
import type { AlertsView } from '../src/alerts-wire.ts'
import { buildWebApp } from '../src/app.ts'
import { loadWebConfig } from '../src/config.ts'
import { loadRunbooks, runbooksIn } from '../src/runbooks.ts'
import { startPrometheus } from './prometheus.ts'

// Two rules of one name, as each SLO has (page and ticket), firing at once; one pending for an hour; one quiet.
const RULES = `groups:
  - name: web-test
    rules:
      - alert: LabBudgetBurn
        expr: vector(0.08) > 14.4 * 0.005
        labels: { severity: page }
        annotations:
          summary: "orders burn the budget (page)"
          description: "{{ $value | humanizePercentage }} of orders failed"
          runbook_url: docs/alerts.md#ordersansweredbudgetburn
      - alert: LabBudgetBurn
        expr: vector(0.02) > 3 * 0.005
        labels: { severity: ticket }
        annotations: { summary: "orders burn the budget (ticket)", runbook_url: docs/alerts.md#ordersansweredbudgetburn }
      - alert: LabPending
        expr: vector(1)
        for: 1h
        labels: { severity: page, service: order }
        annotations: { summary: "pending for an hour", runbook_url: "https://runbooks.example/lab-pending" }
      - alert: LabQuiet
        expr: vector(1) < 0
        labels: { severity: page }
`

let prometheus: Awaited<ReturnType<typeof startPrometheus>>
beforeAll(async () => {
  prometheus = await startPrometheus(RULES)
})
afterAll(() => prometheus?.stop())

/** What GET /api/alerts answers with PROMETHEUS_URL `url`. */
async function alertsFrom(url: string): Promise<{ status: number; body: AlertsView; cache: unknown }> {
  const web = await buildWebApp(loadWebConfig({ PROMETHEUS_URL: url, LOG_LEVEL: 'silent' }), '/nonexistent')
  try {
    const response = await web.inject({ method: 'GET', url: '/api/alerts' })
    return { status: response.statusCode, body: response.json(), cache: response.headers['cache-control'] }
  } finally {
    await web.close()
  }
}

describe('GET /api/alerts with Prometheus running', () => {
  it('answers the firing and pending alerts, most urgent first, each with its own rule’s expression and its runbook', async () => {
    // Prometheus evaluates every second: the first evaluation may be a moment away.
    await expect.poll(async () => (await alertsFrom(prometheus.url)).body.alerts.length, { timeout: 10_000 }).toBe(3)
    const { status, body, cache } = await alertsFrom(`${prometheus.url}/`)
    const exprs = await prometheus.exprs()
    expect(status).toBe(200)
    expect(cache).toBe('no-store')
    expect(body).toMatchObject({ prometheus: prometheus.url, reachable: true })
    expect(body.alerts.map((alert) => [alert.name, alert.state, alert.severity])).toEqual([
      ['LabBudgetBurn', 'firing', 'page'],
      ['LabBudgetBurn', 'firing', 'ticket'],
      ['LabPending', 'pending', 'page'],
    ])
    const [page, ticket, pending] = body.alerts
    expect(page).toMatchObject({
      labels: { alertname: 'LabBudgetBurn', severity: 'page' },
      summary: 'orders burn the budget (page)',
      description: '8% of orders failed',
      runbook_url: 'docs/alerts.md#ordersansweredbudgetburn',
      expr: exprs['LabBudgetBurn page'],
      value: '8e-02',
    })
    expect(page?.expr).toContain('vector(0.08)')
    expect(ticket?.expr).toBe(exprs['LabBudgetBurn ticket'])
    expect(ticket?.expr).toContain('vector(0.02)')
    // The runbook's own words, from docs/alerts.md: the web server serves no docs.
    expect(page?.runbook).toMatch(/^`POST \/orders` answers 5xx\. Look at which:/)
    expect(pending).toMatchObject({ labels: { service: 'order' }, runbook_url: 'https://runbooks.example/lab-pending' })
    expect(pending?.runbook).toBeNull()
    expect(Date.now() - Date.parse(pending?.active_at ?? '')).toBeLessThan(60_000)
  })
})

describe('GET /api/alerts without Prometheus', () => {
  it('answers 200 with reachable: false and no alerts when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const { status, body } = await alertsFrom(url)
    expect(status).toBe(200)
    expect(body).toEqual({ prometheus: url, reachable: false, error: 'ECONNREFUSED', alerts: [] })
  })

  it('answers 200 with reachable: false when something else answers there', async () => {
    const other = createServer((_request, response) => response.writeHead(404).end('<h1>not here</h1>'))
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    const address = other.address()
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    try {
      expect((await alertsFrom(url)).body).toEqual({
        prometheus: url,
        reachable: false,
        error: 'it answered 404',
        alerts: [],
      })
    } finally {
      other.close()
    }
  })
})

describe('PROMETHEUS_URL', () => {
  it('is npm start’s Prometheus by default, and follows its PROMETHEUS_PORT', () => {
    expect(loadWebConfig({}).PROMETHEUS_URL).toBe('http://127.0.0.1:9090')
    expect(loadWebConfig({ PROMETHEUS_PORT: '9190' }).PROMETHEUS_URL).toBe('http://127.0.0.1:9190')
    expect(loadWebConfig({ PROMETHEUS_PORT: '9190', PROMETHEUS_URL: 'http://prom:9090' }).PROMETHEUS_URL).toBe(
      'http://prom:9090',
    )
    expect(() => loadWebConfig({ PROMETHEUS_URL: 'prom:9090' })).toThrow(/PROMETHEUS_URL/)
  })
})

describe('the runbooks the console shows', () => {
  it('has a runbook in docs/alerts.md for every runbook_url of the fleet’s rules', async () => {
    const rules = fileURLToPath(new URL('../../../infra/prometheus/rules/', import.meta.url))
    const urls = readdirSync(rules)
      .filter((file) => file.endsWith('.yml'))
      .flatMap((file) => [...readFileSync(`${rules}${file}`, 'utf8').matchAll(/runbook_url: (\S+)/g)].map((m) => m[1]))
    const runbookOf = await loadRunbooks()
    expect(urls.length).toBeGreaterThan(10)
    expect(urls.filter((url) => !runbookOf(url ?? ''))).toEqual([])
    expect(runbookOf('docs/alerts.md#servicedown')).toMatch(/^No target of the job answers its scrape\./)
  })

  it('reads each ### section as paragraphs, a code block’s # lines inside it', () => {
    const page =
      '## Runbooks\n\n### Service Down!\nFirst line\nwrapped.\n\n```sh\n# not a heading\n```\n## Next\nnot in it'
    expect(runbooksIn(page)).toEqual(new Map([['service-down', 'First line wrapped.\n\n```sh # not a heading ```']]))
  })
})

describe('the panel’s words and links', () => {
  it('links the expression to Prometheus’ graph page, says how long an alert is active, and counts them', () => {
    expect(graphUrl('http://127.0.0.1:9090', 'up{job="order-service"} == 0')).toBe(
      'http://127.0.0.1:9090/graph?g0.expr=up%7Bjob%3D%22order-service%22%7D%20%3D%3D%200&g0.tab=0',
    )
    const now = Date.parse('2025-01-01T12:00:00Z')
    expect(activeFor('2025-01-01T11:59:18Z', now)).toBe('42 s')
    expect(activeFor('2025-01-01T11:57:00Z', now)).toBe('3 min')
    expect(activeFor('2025-01-01T09:55:00Z', now)).toBe('2 h 5 min')
    const alert = (state: 'firing' | 'pending') => ({ state }) as AlertsView['alerts'][number]
    expect(countWords([alert('firing'), alert('firing'), alert('pending')])).toBe('2 firing · 1 pending')
    expect(countWords([alert('pending')])).toBe('1 pending')
    expect(countWords([])).toBe('none')
  })
})
