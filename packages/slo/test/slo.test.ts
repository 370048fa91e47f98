import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  compressedSeconds,
  generateRules,
  InvalidSloSpec,
  promDuration,
  REAL_TIME,
  readSlothSpec,
  WORKBOOK_WINDOWS,
} from '../src/index.ts'

const SPEC = `
version: prometheus/v1
service: shop
slos:
  - name: requests-answered
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(errors_total[{{.window}}]))
        total_query: sum(rate(requests_total[{{.window}}]))
    alerting:
      name: ShopAnswered
`
const HOUR = { periodS: 3600, minWindowS: 10 }

describe('a Sloth spec', () => {
  it('is refused with every problem at its path', () => {
    const bad = SPEC.replace('objective: 99.9', 'objective: 120').replace(
      '[{{.window}}]))\n        total',
      '[5m]))\n        total',
    )
    const refused = (() => {
      try {
        readSlothSpec(`${bad}    owner: me\n`, 'shop.yml')
      } catch (error) {
        return error as InvalidSloSpec
      }
    })()
    expect(refused).toBeInstanceOf(InvalidSloSpec)
    expect(refused?.message).toContain('shop.yml')
    expect(refused?.problems.join('\n')).toMatch(/\/slos\/0\/objective/)
  })

  it('names a query without {{.window}}, and an SLO named twice', () => {
    const noWindow = SPEC.replace('errors_total[{{.window}}]', 'errors_total[5m]')
    expect(() => readSlothSpec(noWindow, 's.yml')).toThrow('/slos/0/sli/error_query: has no {{.window}}')
    const twice = `${SPEC}${SPEC.slice(SPEC.indexOf('  - name'))}`
    expect(() => readSlothSpec(twice, 's.yml')).toThrow('/slos/1/name: requests-answered is named twice')
  })
})

describe('the rules of an SLO', () => {
  it('compress the workbook windows by 30 days / period, never under the floor', () => {
    expect(compressedSeconds(WORKBOOK_WINDOWS['1d'], HOUR)).toBe(120)
    expect(compressedSeconds(WORKBOOK_WINDOWS['6h'], HOUR)).toBe(30)
    expect(compressedSeconds(WORKBOOK_WINDOWS['5m'], HOUR)).toBe(10)
    expect(compressedSeconds(WORKBOOK_WINDOWS['5m'], REAL_TIME)).toBe(300)
    expect([promDuration(120), promDuration(90), promDuration(3600), promDuration(86400 * 3)]).toEqual([
      '2m',
      '90s',
      '1h',
      '3d',
    ])
  })

  it('are Sloth’s: an SLI per window with its compressed range, the metadata, a page and a ticket alert', () => {
    const { groups } = generateRules(readSlothSpec(SPEC, 'shop.yml'), HOUR)
    expect(groups.map((group) => group.name)).toEqual([
      'sloth-slo-sli-recordings-shop-requests-answered',
      'sloth-slo-meta-recordings-shop-requests-answered',
      'sloth-slo-alerts-shop-requests-answered',
    ])
    const [sli, meta, alerts] = groups
    const rate1d = sli?.rules.find((rule) => 'record' in rule && rule.record === 'slo:sli_error:ratio_rate1d')
    expect(rate1d?.expr).toContain('sum(rate(errors_total[2m]))')
    expect(rate1d?.labels.sloth_window).toBe('2m')
    expect(meta?.rules.map((rule) => ('record' in rule ? rule.record : ''))).toContain(
      'slo:period_error_budget_remaining:ratio',
    )
    const [page, ticket] = alerts?.rules ?? []
    expect(page).toMatchObject({ alert: 'ShopAnswered', labels: { severity: 'page', sloth_severity: 'page' } })
    expect(page?.expr).toContain('slo:sli_error:ratio_rate5m')
    expect(page?.expr).toContain('(14.4 * 0.001)')
    expect(ticket?.expr).toContain('(1 * 0.001)')
    expect(ticket && 'annotations' in ticket ? ticket.annotations.runbook_url : '').toBe('docs/alerts.md#shopanswered')
  })
})

describe('npm run slo', () => {
  const slo = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('../src/cli.ts', import.meta.url)), ...args],
      {
        encoding: 'utf8',
      },
    )

  it('names a bad value and the valid ones, then the usage; exit 2', () => {
    const bad = slo('generate', '--period', 'soon')
    expect(bad.stderr).toContain('--period takes a duration (30s, 10m, 1h, 7d), not `soon`')
    expect(bad.stderr).toContain('usage: npm run slo')
    expect(bad.status).toBe(2)
    const unknown = slo('generat')
    expect(unknown.stderr).toContain('`generat` is not a command: generate — did you mean `generate`?')
    expect(unknown.status).toBe(2)
  })
})
