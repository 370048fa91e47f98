/**
 * The SLOs and alerts as code (docs/alerts.md), checked with the real tools: promtool check rules on
 * every rule file, promtool test rules for every alert (fires on its symptom, quiet when healthy),
 * and the SLO rule files as their specs make them.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readSlothSpec } from '@food/slo'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { INFRA, readYaml, ruleFiles, rules } from './config-files.ts'

const ROOT = join(INFRA, '..')
const RULES = join(INFRA, 'prometheus/rules')

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { encoding: 'utf8', cwd: RULES })
  if (run.error) throw new Error(`promtool is missing: install Debian's prometheus package (${run.error.message})`)
  return { status: run.status, output: run.stdout + run.stderr }
}

const alerts = () => rules().filter((rule) => rule.alert !== undefined)
/** Each SLO of infra/slo, with its spec and the rule file made from it. */
const slos = () =>
  readdirSync(join(INFRA, 'slo'))
    .filter((file) => file.endsWith('.yml'))
    .flatMap((file) => {
      const spec = readSlothSpec(readFileSync(join(INFRA, 'slo', file), 'utf8'), file)
      return spec.slos.map((slo) => ({ spec, slo, rules: `slo-${file}` }))
    })

describe('the rule files', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool('check', 'rules', ...Object.keys(ruleFiles()))
    expect(output).not.toContain('FAILED')
    expect(status, output).toBe(0)
  })

  it('are, for the SLOs, what their specs make (npm run slo -- generate --check)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'packages/slo/src/cli.ts', 'generate', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('give every alert a severity, a summary, a description with its value and a runbook in docs/alerts.md', () => {
    const runbooks = readFileSync(join(ROOT, 'docs/alerts.md'), 'utf8')
    const headings = new Set([...runbooks.matchAll(/^#+ (.+)$/gm)].map(([, title]) => (title as string).toLowerCase()))
    expect(alerts().length).toBeGreaterThan(15)
    for (const rule of alerts()) {
      expect(['page', 'ticket'], rule.alert).toContain(rule.labels?.severity)
      expect(rule.annotations?.summary, rule.alert).toBeTruthy()
      expect(rule.annotations?.description, rule.alert).toContain('$value')
      expect(rule.annotations?.runbook_url, rule.alert).toBe(`docs/alerts.md#${rule.alert?.toLowerCase()}`)
      expect(headings.has(rule.alert?.toLowerCase() ?? ''), `docs/alerts.md has no heading ${rule.alert}`).toBe(true)
    }
  })

  it('are loaded by the compose stack’s Prometheus', () => {
    expect(readYaml('prometheus/prometheus.yml').rule_files).toEqual(['/etc/prometheus/rules/*.yml'])
    expect(readYaml('docker-compose.yml').services.prometheus.volumes).toContain(
      './prometheus/rules:/etc/prometheus/rules:ro',
    )
  })
})

describe('promtool test rules', () => {
  it('passes the cause alerts’ unit tests, each alert fired and quiet', () => {
    const file = 'tests/causes.test.yml'
    const tests = readYaml(`prometheus/rules/${file}`).tests as {
      alert_rule_test: { alertname: string; exp_alerts: unknown[] }[]
    }[]
    const checks = tests.flatMap((test) => test.alert_rule_test)
    const causes = (ruleFiles()['causes.yml']?.groups ?? []).flatMap((group) => group.rules).map((rule) => rule.alert)
    for (const alert of causes) {
      expect(
        checks.some((check) => check.alertname === alert && check.exp_alerts.length > 0),
        `${alert} fires`,
      ).toBe(true)
      expect(
        checks.some((check) => check.alertname === alert && check.exp_alerts.length === 0),
        `${alert} quiet`,
      ).toBe(true)
    }
    const { status, output } = promtool('test', 'rules', file)
    expect(output).toContain('SUCCESS')
    expect(status, output).toBe(0)
  })

  /**
   * Each SLO's alerts over synthetic traffic, 1 s apart, at the default compression (30 days → 1 h):
   * all requests failing pages and tickets within a minute; a slow burn (2× the budget) tickets
   * within 8 minutes and never pages; healthy traffic fires nothing.
   */
  it.each(slos())(
    '$slo.alerting.name: pages on an outage, tickets on a slow burn, quiet when healthy',
    ({ spec, slo, rules: ruleFile }) => {
      const budget = 1 - slo.objective / 100
      const traffic = TRAFFIC[`${spec.service}-${slo.name}`]
      if (!traffic) throw new Error(`no synthetic traffic for ${spec.service}-${slo.name}`)
      const labels = (severity: string) => ({
        ...slo.alerting.labels,
        journey: spec.labels?.journey,
        sloth_id: `${spec.service}-${slo.name}`,
        sloth_service: spec.service,
        sloth_slo: slo.name,
        sloth_severity: severity,
        severity,
      })
      // The annotations as the rule writes them, its value (the short window's failing share) filled in.
      const written = ruleFiles()[ruleFile]?.groups.flatMap((group) => group.rules) ?? []
      const annotationsOf = (severity: string, failing: number) =>
        Object.fromEntries(
          Object.entries(
            written.find((rule) => rule.alert === slo.alerting.name && rule.labels.severity === severity)
              ?.annotations ?? {},
          ).map(([name, text]) => [
            name,
            String(text).replace('{{ $value | humanizePercentage }}', `${Number((failing * 100).toPrecision(4))}%`),
          ]),
        )
      const alert = (severity: string, failing: number) => ({
        exp_labels: labels(severity),
        exp_annotations: annotationsOf(severity, failing),
      })
      // 10 requests a second; the failing share of them from the first minute on.
      const series = (failing: number) => traffic(10, failing, 600)
      const cases = [
        { name: 'outage', failing: 1, at: '2m', expected: [alert('page', 1), alert('ticket', 1)] },
        { name: 'slow burn', failing: 2 * budget, at: '9m', expected: [alert('ticket', 2 * budget)] },
        { name: 'healthy', failing: 0, at: '9m', expected: [] },
      ]
      const dir = mkdtempSync(join(tmpdir(), 'slo-rules-'))
      const file = join(dir, 'slo.test.yml')
      writeFileSync(
        file,
        stringify({
          rule_files: [join(RULES, ruleFile)],
          evaluation_interval: '1s',
          tests: cases.map((test) => ({
            name: test.name,
            interval: '1s',
            input_series: series(test.failing),
            alert_rule_test: [{ eval_time: test.at, alertname: slo.alerting.name, exp_alerts: test.expected }],
          })),
        }),
      )
      const { status, output } = promtool('test', 'rules', file)
      expect(output, output).toContain('SUCCESS')
      expect(status).toBe(0)
    },
    60_000,
  )
})

type Series = { series: string; values: string }[]
/** Counters that grow by `perSecond` for `seconds`, `failing` of them from the 60th second on. */
type Traffic = (perSecond: number, failing: number, seconds: number) => Series

/** A counter's values, one a second: `good` a second until 60 s, then `after` a second. */
const counter = (before: number, after: number, seconds: number) =>
  `0+${before}x59 ${60 * before}+${after}x${seconds - 60}`

const requests =
  (service: string, route: string, method: string, threshold?: string): Traffic =>
  (perSecond, failing, seconds) => {
    const labels = `service="${service}", route="${route}", method="${method}"`
    const bad = perSecond * failing
    if (threshold) {
      // Latency: every request answered 200, the failing share of them slower than the threshold.
      return [
        {
          series: `http_server_request_duration_seconds_count{${labels}, status_code="200"}`,
          values: counter(perSecond, perSecond, seconds),
        },
        {
          series: `http_server_request_duration_seconds_bucket{${labels}, status_code="200", le="${threshold}"}`,
          values: counter(perSecond, perSecond - bad, seconds),
        },
      ]
    }
    return [
      {
        series: `http_server_request_duration_seconds_count{${labels}, status_code="200"}`,
        values: counter(perSecond, perSecond - bad, seconds),
      },
      {
        series: `http_server_request_duration_seconds_count{${labels}, status_code="503"}`,
        values: counter(0, bad, seconds),
      },
    ]
  }

/** Orders: half of the good ones FAILED out of stock, the customer's own failure, which never counts against the SLO. */
const orders: Traffic = (perSecond, failing, seconds) => {
  const good = (perSecond * (1 - failing)) / 2
  return [
    {
      series: 'orders_total{service="order", status="CONFIRMED", reason="none"}',
      values: counter(perSecond / 2, good, seconds),
    },
    {
      series: 'orders_total{service="order", status="FAILED", reason="out_of_stock"}',
      values: counter(perSecond / 2, good, seconds),
    },
    {
      series: 'orders_total{service="order", status="FAILED", reason="payment_failed"}',
      values: counter(0, perSecond * failing, seconds),
    },
  ]
}

const TRAFFIC: Record<string, Traffic> = {
  'order-orders-answered': requests('order', '/orders', 'POST'),
  'order-orders-completed': orders,
  'order-orders-latency': requests('order', '/orders', 'POST', '1'),
  'restaurant-menus-answered': requests('restaurant', '/menus', 'GET'),
  'restaurant-menus-latency': requests('restaurant', '/menus', 'GET', '0.25'),
  'user-login-answered': requests('user', '/login', 'POST'),
  'user-login-latency': requests('user', '/login', 'POST', '1'),
}
