import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const INFRA = fileURLToPath(new URL('..', import.meta.url))

// biome-ignore lint/suspicious/noExplicitAny: configuration documents, read field by field
export const readYaml = (path: string): any => parse(readFileSync(`${INFRA}/${path}`, 'utf8'), { merge: true })

/**
 * A string of a Grafana provisioning file as Grafana reads it: its values go through
 * `interpolateValue` (pkg/services/provisioning/values/values.go), which splits the string on `$$`,
 * expands environment variables in each part with Go's os.ExpandEnv (`$NAME`, `${NAME}`; unset is
 * empty) and joins the parts with a literal `$`. So `$__tags` would arrive empty and `$$__tags`
 * arrives as `$__tags`. No variable is set here, as in the compose stack's Grafana.
 */
export function grafanaProvisioned(value: string, env: Record<string, string> = {}): string {
  // Go's os.Expand (src/os/env.go): `${name}`, a shell special variable (one of *#$@!?- or a
  // digit), or a run of letters, digits and underscores; a `$` before anything else stays.
  const expand = (part: string) =>
    part.replace(/\$(?:\{([^}]*)\}|([*#$@!?\-0-9])|([A-Za-z0-9_]+))/g, (_whole, braced, special, name) => {
      return env[braced ?? special ?? name] ?? ''
    })
  return value.split('$$').map(expand).join('$')
}

/** Every string of a provisioned document (jsonData and the like), interpolated as Grafana does. */
export function grafanaProvisionedDocument<T>(document: T): T {
  if (typeof document === 'string') return grafanaProvisioned(document) as T
  if (Array.isArray(document)) return document.map((each) => grafanaProvisionedDocument(each)) as T
  if (document && typeof document === 'object') {
    return Object.fromEntries(
      Object.entries(document).map(([key, value]) => [key, grafanaProvisionedDocument(value)]),
    ) as T
  }
  return document
}

/** A query of a dashboard panel: Prometheus' and Loki's have `expr`, Tempo's `queryType` and `query`. */
export interface Target {
  refId: string
  expr: string
  datasource: { uid: string }
  instant?: boolean
  range?: boolean
  format?: string
  queryType?: string
  query?: string
  tableType?: string
  limit?: number
  filters?: unknown[]
}

export interface Panel {
  type: string
  title: string
  datasource: { uid: string }
  // biome-ignore lint/suspicious/noExplicitAny: a panel's options, read field by field
  options: any
  transformations?: { id: string; options: Record<string, unknown> }[]
  targets: Target[]
}

export interface Dashboard {
  uid: string
  title: string
  annotations: { list: { name: string; datasource: { uid: string }; expr: string }[] }
  templating: { list: { name: string; query: { query: string } }[] }
  panels: Panel[]
}

export const dashboards = (): Dashboard[] =>
  readdirSync(`${INFRA}/grafana/dashboards`)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(`${INFRA}/grafana/dashboards/${file}`, 'utf8')) as Dashboard)

/** Every PromQL expression of every dashboard: panel queries and annotations. */
export const promqlExpressions = (): string[] =>
  dashboards().flatMap((dashboard) => [
    ...dashboard.annotations.list.filter((annotation) => annotation.datasource.uid === 'prometheus').map((a) => a.expr),
    ...dashboard.panels
      .flatMap((panel) => panel.targets)
      .filter((target) => target.datasource.uid === 'prometheus')
      .map((target) => target.expr),
  ])

const PROMQL_WORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
])

/** The metric names a PromQL expression reads: identifiers that are not functions, labels or keywords. */
export function metricNames(expression: string): string[] {
  const bare = expression
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
  return [...bare.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g)]
    .map((match) => match[0])
    .filter((word) => !PROMQL_WORDS.has(word))
}

// biome-ignore lint/suspicious/noExplicitAny: rule files, read field by field
export type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: any; annotations?: any }

/** Every rule file Prometheus loads (infra/prometheus/rules/*.yml), by file name. */
export const ruleFiles = (): Record<string, { groups: { name: string; rules: Rule[] }[] }> =>
  Object.fromEntries(
    readdirSync(`${INFRA}/prometheus/rules`)
      .filter((file) => file.endsWith('.yml'))
      .map((file) => [file, readYaml(`prometheus/rules/${file}`)]),
  )

/** Every rule of every rule file. */
export const rules = (): Rule[] =>
  Object.values(ruleFiles()).flatMap((file) => file.groups.flatMap((group) => group.rules))
