/**
 * The Prometheus rules of a Sloth spec, named and shaped as Sloth generates them (docs/alerts.md):
 * an SLI error ratio per workbook window, the SLO's metadata and error budget, and the page and
 * ticket alerts of the multi-window, multi-burn-rate method, every window time-compressed.
 */
import type { SloSpec, SlothSpec } from './sloth-spec.ts'
import {
  BURN_RATE_ALERTS,
  type Compression,
  compressedSeconds,
  promDuration,
  type WindowName,
  WORKBOOK_PERIOD_S,
  WORKBOOK_WINDOWS,
} from './windows.ts'

export interface RecordingRule {
  record: string
  expr: string
  labels: Record<string, string>
}
export interface AlertingRule {
  alert: string
  expr: string
  for?: string
  labels: Record<string, string>
  annotations: Record<string, string>
}
export interface RuleGroup {
  name: string
  rules: (RecordingRule | AlertingRule)[]
}

/** Where each alert's runbook is: a heading of docs/alerts.md, by the alert's name. */
export const runbookUrl = (alert: string) => `docs/alerts.md#${alert.toLowerCase()}`

export function generateRules(spec: SlothSpec, compression: Compression): { groups: RuleGroup[] } {
  return { groups: spec.slos.flatMap((slo) => sloGroups(spec, slo, compression)) }
}

function sloGroups(spec: SlothSpec, slo: SloSpec, compression: Compression): RuleGroup[] {
  const id = `${spec.service}-${slo.name}`
  const ids = { sloth_id: id, sloth_service: spec.service, sloth_slo: slo.name }
  const selector = `{${Object.entries(ids)
    .map(([name, value]) => `${name}="${value}"`)
    .join(', ')}}`
  const labels = { ...spec.labels, ...slo.labels, ...ids }
  const windowOf = (name: WindowName) => promDuration(compressedSeconds(WORKBOOK_WINDOWS[name], compression))
  const period = promDuration(Math.round(compression.periodS))
  const budget = 1 - slo.objective / 100
  return [
    {
      name: `sloth-slo-sli-recordings-${id}`,
      rules: [
        ...(Object.keys(WORKBOOK_WINDOWS) as WindowName[]).map((name) => ({
          record: `slo:sli_error:ratio_rate${name}`,
          expr: sliExpr(slo, windowOf(name)),
          labels: { ...labels, sloth_window: windowOf(name) },
        })),
        {
          record: 'slo:sli_error:ratio_rate30d',
          expr: `sum_over_time(slo:sli_error:ratio_rate5m${selector}[${period}])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m${selector}[${period}])\n`,
          labels: { ...labels, sloth_window: period },
        },
      ],
    },
    {
      name: `sloth-slo-meta-recordings-${id}`,
      rules: metaRules(slo, selector, labels, compression),
    },
    { name: `sloth-slo-alerts-${id}`, rules: alertRules(spec, slo, selector, budget) },
  ]
}

/** The share of events that failed over `window`: Sloth's expression, its queries' {{.window}} filled. */
export function sliExpr(slo: SloSpec, window: string): string {
  const at = (query: string) => query.trim().replaceAll('{{.window}}', window)
  return 'events' in slo.sli
    ? // Unlike Sloth, a window without events gives no sample rather than 0/0 = NaN, which would
      // spoil the period's ratio and the budget left for as long as the period lasts.
      `(${at(slo.sli.events.error_query)})\n/\n((${at(slo.sli.events.total_query)}) > 0)\n`
    : `(${at(slo.sli.raw.error_ratio_query)})\n`
}

function metaRules(
  slo: SloSpec,
  selector: string,
  labels: Record<string, string>,
  compression: Compression,
): RecordingRule[] {
  const on = 'on(sloth_id, sloth_slo, sloth_service) group_left'
  return [
    { record: 'slo:objective:ratio', expr: `vector(${slo.objective / 100})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(1-${slo.objective / 100})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${round(compression.periodS / 86400)})`, labels },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `slo:sli_error:ratio_rate5m${selector}\n/ ${on}\nslo:error_budget:ratio${selector}\n`,
      labels,
    },
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `slo:sli_error:ratio_rate30d${selector}\n/ ${on}\nslo:error_budget:ratio${selector}\n`,
      labels,
    },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - slo:period_burn_rate:ratio${selector}`,
      labels,
    },
    {
      record: 'sloth_slo_info',
      expr: 'vector(1)',
      labels: {
        ...labels,
        sloth_mode: 'cli-gen-prom',
        sloth_spec: 'prometheus/v1',
        sloth_objective: String(slo.objective),
        // The lab's compression, beside Sloth's fields: what 30 days became.
        lab_period: promDuration(Math.round(compression.periodS)),
        lab_compression: String(round(WORKBOOK_PERIOD_S / compression.periodS)),
      },
    },
  ]
}

function alertRules(spec: SlothSpec, slo: SloSpec, selector: string, budget: number): AlertingRule[] {
  const { alerting } = slo
  const severities = (['page', 'ticket'] as const).filter((severity) => !alerting[`${severity}_alert`]?.disable)
  return severities.map((severity) => {
    const overrides = alerting[`${severity}_alert`]
    const burning = BURN_RATE_ALERTS[severity]
      .map(
        ({ long, short, factor }) =>
          `(\n    max(slo:sli_error:ratio_rate${short}${selector} > (${factor} * ${round(budget)})) without (sloth_window)\n    and\n    max(slo:sli_error:ratio_rate${long}${selector} > (${factor} * ${round(budget)})) without (sloth_window)\n)`,
      )
      .join('\nor\n')
    return {
      alert: alerting.name,
      expr: `${burning}\n`,
      labels: { ...alerting.labels, ...overrides?.labels, sloth_severity: severity, severity },
      annotations: {
        summary: `${spec.service} ${slo.name}: the error budget burns too fast (${severity})`,
        description: `${slo.description ?? slo.name}: {{ $value | humanizePercentage }} of events failed over the short window, above ${severity === 'page' ? '14.4 or 6' : '3 or 1'} times the ${round(budget * 100)}% budget.`,
        runbook_url: runbookUrl(alerting.name),
        ...alerting.annotations,
        ...overrides?.annotations,
      },
    }
  })
}

const round = (value: number) => Number(value.toPrecision(6))
