import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const INFRA = fileURLToPath(new URL('..', import.meta.url))

// biome-ignore lint/suspicious/noExplicitAny: configuration documents, read field by field
export const readYaml = (path: string): any => parse(readFileSync(`${INFRA}/${path}`, 'utf8'))

export interface Dashboard {
  uid: string
  title: string
  annotations: { list: { name: string; datasource: { uid: string }; expr: string }[] }
  templating: { list: { name: string; query: { query: string } }[] }
  panels: {
    title: string
    datasource: { uid: string }
    targets: { refId: string; expr: string; datasource: { uid: string } }[]
  }[]
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
