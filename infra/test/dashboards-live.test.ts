/**
 * Every dashboard's every query, evaluated against a real Prometheus (Debian's) that scrapes the
 * fleet and a real node exporter (Debian's prometheus-node-exporter) while a short load runs: a
 * query that errors, or finds no series where the load must have made data, fails the test.
 * Grafana's template variables are resolved from that Prometheus as Grafana would, and its
 * interval variables substituted. Loki queries are parsed with Grafana's own LogQL grammar.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fleetTest, type TestFleet } from '@food/order-service/test-fleet'
import { freePort, type RunningChild, startChild } from '@food/testing'
import { parser as logql } from '@grafana/lezer-logql'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { type Dashboard, dashboards, readYaml } from './config-files.ts'

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

async function query(promql: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`)
  return (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } }
}

/** Prometheus' configuration of infra/, with the same jobs, aimed at this test's processes. */
async function startPrometheus(targets: Record<string, string>): Promise<string> {
  const port = await freePort()
  targets.prometheus = `127.0.0.1:${port}`
  const config = readYaml('prometheus/prometheus.yml')
  config.global = { scrape_interval: '1s', evaluation_interval: '1s' }
  for (const job of config.scrape_configs) {
    const target = targets[job.job_name]
    if (!target) throw new Error(`no target for the job ${job.job_name} of infra/prometheus/prometheus.yml`)
    job.static_configs = [{ targets: [target] }]
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
  await shortLoad()
  // Two more scrapes after the load, so every rate() has its last samples.
  await new Promise((resolve) => setTimeout(resolve, 2500))
}, 120_000)

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop()))
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

describe.each(dashboards().map((dashboard) => [dashboard.uid, dashboard] as const))(
  'dashboard %s',
  (_uid, dashboard) => {
    it('has data in every Prometheus query of its panels and annotations, after a short load', async () => {
      const values = await variablesOf(dashboard)
      const queries = [
        ...dashboard.annotations.list
          .filter((annotation) => annotation.datasource.uid === 'prometheus')
          .map((annotation) => ({ where: `annotation ${annotation.name}`, expr: annotation.expr })),
        ...dashboard.panels.flatMap((panel) =>
          panel.targets
            .filter((target) => target.datasource.uid === 'prometheus')
            .map((target) => ({ where: `${panel.title} / ${target.refId}`, expr: target.expr })),
        ),
      ]
      const problems: string[] = []
      for (const { where, expr } of queries) {
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
