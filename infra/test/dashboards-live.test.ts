/**
 * Every dashboard's every query, evaluated against a real Prometheus (Debian's) that scrapes the
 * fleet and a real node exporter (Debian's prometheus-node-exporter) while a short load runs: a
 * query that errors, or finds no series where the load must have made data, fails the test.
 * Grafana's template variables are resolved from that Prometheus as Grafana would, and its
 * interval variables substituted. Loki queries are parsed with Grafana's own LogQL grammar.
 *
 * Prometheus scrapes each service twice, through both targets of its job (origin container and
 * host), as it does on Docker Desktop while the compose fleet runs: every panel must still count
 * each series once. And the metrics links of the trace view (the Tempo datasource's
 * tracesToMetrics) are run as Grafana builds them for a span of each service.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fleetTest, type TestFleet } from '@food/order-service/test-fleet'
import { freePort, type RunningChild, startChild } from '@food/testing'
import { parser as logql } from '@grafana/lezer-logql'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { type Dashboard, dashboards, grafanaProvisionedDocument, readYaml } from './config-files.ts'

/**
 * Panels that may rightly show nothing after a healthy run, and why. Everything else must have data.
 * Keyed `dashboard uid / panel title / refId`.
 */
const MAY_BE_EMPTY: Record<string, string> = {
  'order-saga / Recoverer takeovers and refused restores (5 min) / B':
    'a restore the restaurant refused (release_refused): an operator must look; a healthy run has none',
}

let fleet: TestFleet
const children: RunningChild[] = []
let prometheus: string

interface Sample {
  metric: Record<string, string>
  value: [number, string]
}

async function query(
  promql: string,
  time?: number,
): Promise<{ status: string; error?: string; data?: { result: Sample[] } }> {
  const at = time === undefined ? '' : `&time=${time}`
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}${at}`)
  return (await response.json()) as { status: string; error?: string; data?: { result: Sample[] } }
}

/**
 * Prometheus' configuration of infra/, with the same jobs and target groups (their labels kept),
 * aimed at this test's processes. A service's two groups (origin container and host) both reach
 * the test's process, as on Docker Desktop: 127.0.0.1 for one, localhost for the other.
 */
async function startPrometheus(targets: Record<string, string>): Promise<string> {
  const port = await freePort()
  targets.prometheus = `127.0.0.1:${port}`
  const config = readYaml('prometheus/prometheus.yml')
  config.global = { scrape_interval: '1s', evaluation_interval: '1s' }
  for (const job of config.scrape_configs) {
    const target = targets[job.job_name]
    if (!target) throw new Error(`no target for the job ${job.job_name} of infra/prometheus/prometheus.yml`)
    const targetPort = new URL(`http://${target}`).port
    job.static_configs = job.static_configs.map((group: { labels?: Record<string, string> }) => ({
      ...group,
      targets: [group.labels?.origin === 'host' ? `localhost:${targetPort}` : target],
    }))
  }
  const dir = await mkdtemp(join(tmpdir(), 'prometheus-'))
  // One rule that fires at once (no Alertmanager here): the dashboards' alert annotation has an alert to mark.
  const firing = { alert: 'DashboardsLiveFiring', expr: 'vector(1)', labels: { severity: 'ticket' } }
  await writeFile(join(dir, 'rules.yml'), stringify({ groups: [{ name: 'dashboards-live', rules: [firing] }] }))
  config.rule_files = [join(dir, 'rules.yml')]
  delete config.alerting
  await writeFile(join(dir, 'prometheus.yml'), stringify(config))
  const url = `http://127.0.0.1:${port}`
  children.push(
    await startChild(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { readyUrl: `${url}/-/ready` },
    ),
  )
  return url
}

/**
 * A few seconds of orders from four users, with what makes every panel move: payment failures,
 * an out-of-stock menu, cancels, cached reads, unknown routes, chaos on the user service (5xx,
 * failed calls, saga errors), a compensation left to the recoverer.
 */
async function shortLoad() {
  const menu = await fleet.restaurant.createMenu(1000)
  const scarce = await fleet.restaurant.createMenu(1)
  const users = await Promise.all(Array.from({ length: 4 }, () => fleet.login()))
  await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 30 } })
  await fleet.restaurant.call('POST', '/chaos/inventory_delay', { json: { delay_ms: 1, ttl_s: 120 } })
  const until = Date.now() + 6000
  await Promise.all([
    ...users.map(async ({ headers }, worker) => {
      for (let i = 0; Date.now() < until; i++) {
        const placed = await fleet.placeOrder(headers, [{ menu_id: i % 7 === 0 ? scarce.id : menu.id, quantity: 1 }])
        if (placed.status === 201) {
          await fleet.order.call('GET', `/orders/${placed.body.id}`, { headers })
          await fleet.order.call('GET', `/orders/${placed.body.id}`, { headers })
          if (i % 3 === worker % 3) await fleet.order.call('POST', `/orders/${placed.body.id}/cancel`, { headers })
        }
        await fleet.restaurant.call('GET', '/menus')
        await fleet.restaurant.call('GET', `/menus/${menu.id}`)
        await fleet.user.call('GET', '/nowhere')
      }
    }),
    (async () => {
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
      // 5xx from a dependency, then saga steps failing at the restaurant, then calls timing out.
      for (const [service, fault, json] of [
        [fleet.user, 'error', { enable: true }],
        [fleet.restaurant, 'error', { enable: true }],
        [fleet.user, 'delay', { delay_ms: 1200 }],
      ] as const) {
        await sleep(1000)
        await service.call('POST', `/chaos/${fault}`, { json })
        await sleep(1200)
        await service.call('POST', `/chaos/${fault}`, { json: fault === 'delay' ? { delay_ms: 0 } : { enable: false } })
      }
    })(),
  ])
  // A compensation that fails in the request and is finished by the recoverer.
  await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 100 } })
  await fleet.order.call('POST', '/chaos/restore_fail', { json: { fail_percent: 100 } })
  await fleet.placeOrder(users[0]?.headers ?? {}, [{ menu_id: menu.id, quantity: 1 }])
  await fleet.order.call('DELETE', '/chaos')
  await fleet.order.app.recoverer.runOnce()
}

// The fleet is the fixture's (it closes it after the last test); node-exporter and Prometheus are this file's.
fleetTest.beforeAll(async ({ fleet: started }) => {
  fleet = started
  const nodeExporterPort = await freePort()
  children.push(
    await startChild('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nodeExporterPort}`], {
      readyUrl: `http://127.0.0.1:${nodeExporterPort}/metrics`,
    }),
  )
  const host = (baseUrl: string) => new URL(baseUrl).host
  prometheus = await startPrometheus({
    'user-service': host(fleet.user.baseUrl),
    'restaurant-service': host(fleet.restaurant.baseUrl),
    'order-service': host(fleet.order.baseUrl),
    'node-exporter': `127.0.0.1:${nodeExporterPort}`,
  })
  // Every target scraped twice before the load (Prometheus applies its targets some seconds after
  // it starts): both origins of a service then hold its counters from before the first request,
  // and their answers differ only by the scrapes' timing.
  const targetCount = readYaml('prometheus/prometheus.yml').scrape_configs.flatMap(
    (job: { static_configs: { targets: string[] }[] }) => job.static_configs.flatMap((group) => group.targets),
  ).length
  const scrapedTwice = 'count(count_over_time(up[1m]) >= 2)'
  for (let tries = 0; Number((await query(scrapedTwice)).data?.result[0]?.value[1] ?? 0) < targetCount; tries++) {
    if (tries > 60) throw new Error(`Prometheus did not scrape its ${targetCount} targets twice within 15 s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  await shortLoad()
  // Two more scrapes after the load, so every rate() has its last samples.
  await new Promise((resolve) => setTimeout(resolve, 2500))
}, 120_000)

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop()))
})

/** The metrics of the series that carry an `origin` label: the services'. */
async function originMetrics(): Promise<Set<string>> {
  const response = await fetch(
    `${prometheus}/api/v1/label/__name__/values?match[]=${encodeURIComponent('{origin!=""}')}`,
  )
  return new Set(((await response.json()) as { data: string[] }).data)
}

/**
 * What a query shows twice of a service that Prometheus scrapes twice: a series per origin, or a
 * value nearer the sum of what each origin alone gives than to the range between them. The two
 * scrapes of one process do not see quite the same samples (their times differ; a slow /metrics
 * may time one out), so the origins' answers differ by a few percent, at times more: a query that
 * counts each series once lies between them or near.
 */
async function countedTwice(where: string, promql: string, names: Set<string>, at: number): Promise<string[]> {
  const [both = [], ...single] = await Promise.all(
    [promql, onlyOrigin(promql, 'container', names), onlyOrigin(promql, 'host', names)].map(async (each) => {
      const answer = await query(each, at)
      if (answer.status !== 'success') throw new Error(`${where}: ${answer.error} in ${each}`)
      return answer.data?.result ?? []
    }),
  )
  const problems: string[] = []
  const bySingle = single.map(valuesByKey)
  if (both.some((sample) => 'origin' in sample.metric)) problems.push(`${where}: a series per origin`)
  for (const [key, value] of valuesByKey(both)) {
    const alone = bySingle.flatMap((byKey) => (byKey.has(key) ? [byKey.get(key) as number] : []))
    const finite = alone.filter((each) => !Number.isNaN(each))
    if (alone.length === 0) problems.push(`${where}: ${key} is in neither origin's answer`)
    // PromQL's max skips NaN (a histogram quantile of no requests) unless every value is NaN.
    else if (Number.isNaN(value)) {
      if (finite.length === alone.length) problems.push(`${where}: ${key} is NaN, one origin gives ${alone}`)
    } else if (finite.length === 0) problems.push(`${where}: ${key} = ${value}, each origin gives NaN`)
    else {
      const [low, high] = [Math.min(...finite), Math.max(...finite)]
      const fromRange = Math.max(low - value, value - high, 0)
      const fromSum = Math.abs(value - (finite.length === 2 ? low + high : 2 * low))
      if (fromSum < fromRange) problems.push(`${where}: ${key} = ${value}, counted twice: one origin gives ${alone}`)
    }
  }
  return problems
}

describe('the double scrape', () => {
  it('reaches every service through both of its targets, as on Docker Desktop', async () => {
    const answer = await query('count by (job, origin) (max_over_time(up{origin!=""}[1m]) == 1)')
    const targets = (answer.data?.result ?? []).map((sample) => `${sample.metric.job} ${sample.metric.origin}`).sort()
    expect(targets).toEqual(
      ['order-service', 'restaurant-service', 'user-service'].flatMap((job) => [`${job} container`, `${job} host`]),
    )
    // What the dashboards' check tells: a sum over both origins counts every request twice; the
    // dashboards' max over them, once.
    const names = await originMetrics()
    const at = Date.now() / 1000
    const rate = 'rate(http_server_request_duration_seconds_count[1m])'
    expect(await countedTwice('sum', `sum by (service) (${rate})`, names, at)).toEqual([
      expect.stringContaining('counted twice'),
      expect.stringContaining('counted twice'),
      expect.stringContaining('counted twice'),
    ])
    expect(await countedTwice('max', `sum by (service) (max without (instance, origin) (${rate}))`, names, at)).toEqual(
      [],
    )
  })
})

/**
 * The trace view's links from a span to metrics, as Grafana 11.2 builds them
 * (public/app/features/explore/TraceView/createSpanLink.tsx): each of tracesToMetrics.queries, its
 * `$__tags` replaced by getFormattedTags: each of the span's process tags, then span tags, that
 * `tags` maps, as `<value or key>="<tag value>"`, joined by ", ".
 */
describe('the metrics links of a span (the Tempo datasource’s tracesToMetrics)', () => {
  const { datasources } = grafanaProvisionedDocument(readYaml('grafana/provisioning/datasources/datasources.yml'))
  const { tags, queries } = datasources.find((source: { uid: string }) => source.uid === 'tempo').jsonData
    .tracesToMetrics as { tags: { key: string; value?: string }[]; queries: { name: string; query: string }[] }
  const formattedTags = (spanTags: { key: string; value: string }[]) =>
    spanTags
      .flatMap((tag) => {
        const mapped = tags.find((each) => each.key === tag.key)
        return mapped ? [`${mapped.value || mapped.key}="${tag.value}"`] : []
      })
      .join(', ')

  it.each(['user-service', 'restaurant-service', 'order-service'])('have data for a span of %s', async (service) => {
    // The resource attributes of the services' spans (OTEL_SERVICE_NAME; the telemetry package's namespace).
    const spanTags = [
      { key: 'service.name', value: service },
      { key: 'service.namespace', value: 'food-delivery' },
      { key: 'http.route', value: '/health' },
    ]
    expect(queries.length).toBeGreaterThan(0)
    for (const { name, query: template } of queries) {
      const promql = template.replace(/\$\{__tags\}|\$__tags/g, formattedTags(spanTags))
      expect(promql).toContain(`{job="${service}"}`)
      const answer = await query(promql)
      expect(answer.status, `${name}: ${answer.error}`).toBe('success')
      expect(answer.data?.result.length, `${name}: ${promql}`).toBeGreaterThan(0)
      expect(
        answer.data?.result.every((sample) => !('origin' in sample.metric)),
        name,
      ).toBe(true)
    }
  })
})

/** What Grafana puts in the place of a dashboard's variables: its own, resolved from Prometheus. */
async function variablesOf(dashboard: Dashboard): Promise<Record<string, string>> {
  const values: Record<string, string> = {
    // Grafana's: with a 1 s scrape interval its $__rate_interval is at least four scrapes.
    __rate_interval: '15s',
    __interval: '5s',
    __range: '5m',
  }
  for (const variable of dashboard.templating.list) {
    const [, metric, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.query.query) ?? []
    if (!metric || !label) throw new Error(`${dashboard.uid}: variable ${variable.name} is not a label_values() query`)
    const response = await fetch(`${prometheus}/api/v1/label/${label}/values?match[]=${metric}`)
    const [first] = ((await response.json()) as { data: string[] }).data
    if (!first) throw new Error(`${dashboard.uid}: variable ${variable.name} has no value in Prometheus`)
    values[variable.name] = first
  }
  return values
}

const substitute = (expr: string, values: Record<string, string>) =>
  expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced, bare) => values[braced ?? bare] ?? whole)

/** Every Prometheus query of a dashboard: its annotations' and its panels'. */
const prometheusQueries = (dashboard: Dashboard) => [
  ...dashboard.annotations.list
    .filter((annotation) => annotation.datasource.uid === 'prometheus')
    .map((annotation) => ({ where: `annotation ${annotation.name}`, expr: annotation.expr })),
  ...dashboard.panels.flatMap((panel) =>
    panel.targets
      .filter((target) => target.datasource.uid === 'prometheus')
      .map((target) => ({ where: `${panel.title} / ${target.refId}`, expr: target.expr })),
  ),
]

/**
 * A query reading one origin's series only: every selector of a metric in `names` gets
 * `origin="<origin>"`. Strings, label matchers, ranges and grouping clauses are left as they are.
 */
function onlyOrigin(promql: string, origin: string, names: Set<string>): string {
  const token =
    /"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)|([a-zA-Z_:][\w:]*)(\s*\{[^}]*\})?|\{[^}]*\}/g
  return promql.replace(token, (whole, name: string | undefined, matchers: string | undefined) => {
    if (!name || !names.has(name)) return whole
    const inner = matchers?.trim().slice(1, -1).trim()
    return `${name}{origin="${origin}"${inner ? `, ${inner}` : ''}}`
  })
}

const seriesKey = (metric: Record<string, string>) => JSON.stringify(Object.entries(metric).sort())
const valuesByKey = (result: Sample[]) =>
  new Map(result.map((sample) => [seriesKey(sample.metric), Number(sample.value[1])]))

describe.each(dashboards().map((dashboard) => [dashboard.uid, dashboard] as const))(
  'dashboard %s',
  (_uid, dashboard) => {
    it('has data in every Prometheus query of its panels and annotations, after a short load', async () => {
      const values = await variablesOf(dashboard)
      const problems: string[] = []
      for (const { where, expr } of prometheusQueries(dashboard)) {
        const promql = substitute(expr, values)
        if (promql.includes('$')) problems.push(`${where}: a variable is left in ${promql}`)
        const answer = await query(promql)
        if (answer.status !== 'success') problems.push(`${where}: ${answer.error} in ${promql}`)
        else if (answer.data?.result.length === 0 && !MAY_BE_EMPTY[`${dashboard.uid} / ${where}`]) {
          problems.push(`${where}: no series for ${promql}`)
        }
      }
      expect(problems).toEqual([])
    })

    it('counts each series once, although Prometheus scrapes every service twice (container and host)', async () => {
      // Each panel's answer must be what one origin alone gives (within the few percent the two
      // scrapes' timing makes), never their sum, and never show a series per origin.
      const values = await variablesOf(dashboard)
      const names = await originMetrics()
      const at = Date.now() / 1000
      const problems: string[] = []
      let compared = 0
      for (const { where, expr } of prometheusQueries(dashboard)) {
        const promql = substitute(expr, values)
        if (onlyOrigin(promql, 'container', names) === promql) continue
        compared++
        problems.push(...(await countedTwice(where, promql, names, at)))
      }
      expect(problems).toEqual([])
      if (dashboard.uid.startsWith('node-exporter')) expect(compared).toBe(0)
      else expect(compared).toBeGreaterThan(0)
    })

    it('has Loki queries that parse with Grafana’s LogQL grammar', () => {
      for (const panel of dashboard.panels) {
        for (const target of panel.targets.filter((each) => each.datasource.uid === 'loki')) {
          const errors: number[] = []
          logql.parse(target.expr).iterate({
            enter: (node) => {
              if (node.type.isError) errors.push(node.from)
            },
          })
          expect(errors, `${panel.title}: ${target.expr}`).toEqual([])
        }
      }
    })
  },
)
