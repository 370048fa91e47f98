/**
 * The run record's pure parts: metrics.csv's columns from scrapes, the ground truth's targets,
 * the comparison of two verdicts, and the log lines of a run picked out of log files.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Sample, SampleStore } from '@food/promql'
import { describe, expect, it } from 'vitest'
import type { PhaseVerdict } from '../../src/load/phases.ts'
import { parseCsvLine, symptomShown } from '../../src/record/answer-key.ts'
import { diffVerdicts } from '../../src/record/diff.ts'
import { targetOf } from '../../src/record/injection.ts'
import { collectLogs, type LogSource, markLogs } from '../../src/record/logs.ts'
import { csvField, MetricsTable, shortest } from '../../src/record/metric-columns.ts'
import type { Verdict } from '../../src/record/verdict.ts'

/** One scrape of the order service: `requests` answered so far (of which `errors` 500), all under 25 ms. */
function orderScrape(requests: number, errors: number, rss: number): Sample[] {
  const count = (status: string, value: number) => ({
    name: 'http_server_request_duration_seconds_count',
    labels: { service: 'order', method: 'POST', route: '/orders', status_code: status },
    value,
  })
  const bucket = (le: string, value: number) => ({
    name: 'http_server_request_duration_seconds_bucket',
    labels: { service: 'order', method: 'POST', route: '/orders', status_code: '201', le },
    value,
  })
  return [
    count('201', requests - errors),
    count('500', errors),
    bucket('0.01', 0),
    bucket('0.025', requests),
    bucket('+Inf', requests),
    { name: 'orders_total', labels: { service: 'order', status: 'CONFIRMED', reason: '' }, value: requests - errors },
    { name: 'process_resident_memory_bytes', labels: { service: 'order' }, value: rss },
  ]
}

describe('metrics.csv', () => {
  it('has a row per scrape: time, then <service>_<metric> columns from the scrapes so far', () => {
    const store = new SampleStore()
    const table = new MetricsTable(1000)
    const start = Date.UTC(2026, 11, 6, 21, 0, 0)
    for (const [i, [requests, errors, rss]] of [
      [0, 0, 100],
      [10, 0, 110],
      [30, 5, 120],
    ].entries()) {
      store.add('order', i * 1000, orderScrape(requests as number, errors as number, rss as number))
      table.add(start + i * 1000, store, i * 1000)
    }
    const [header, ...rows] = table.csv().trim().split('\n')
    const columns = (header as string).split(',')
    expect(columns[0]).toBe('time')
    expect(columns).toEqual(
      expect.arrayContaining([
        'order_request_rate',
        'order_error_ratio',
        'order_p50_s',
        'order_rss_bytes',
        'order_orders{CONFIRMED }',
        'order_request_rate{POST /orders}',
        'order_p95_s{POST /orders}',
      ]),
    )
    const cell = (row: number, column: string) => rows[row]?.split(',')[columns.indexOf(column)]
    expect(rows.map((row) => row.split(',')[0])).toEqual(['1796590800.000', '1796590801.000', '1796590802.000'])
    // The first row has one scrape: no rate yet, but the memory.
    expect(cell(0, 'order_request_rate')).toBe('')
    expect(cell(0, 'order_rss_bytes')).toBe('100')
    // Over the scrapes of the range (2.5 s): 10 requests in 1 s, then 30 in 2 s, 5 of them 500.
    expect(cell(1, 'order_request_rate')).toBe('10')
    expect(cell(1, 'order_error_ratio')).toBe('0')
    expect(cell(2, 'order_request_rate')).toBe('15')
    expect(cell(2, 'order_error_ratio')).toBe('0.166667')
    expect(Number(cell(2, 'order_p50_s'))).toBeGreaterThan(0.01)
    expect(Number(cell(2, 'order_p50_s'))).toBeLessThanOrEqual(0.025)
    expect(cell(2, 'order_orders{CONFIRMED }')).toBe('25')
  })

  it('writes six significant digits, and every unit of a larger figure', () => {
    expect(shortest(0.166666666)).toBe('0.166667')
    expect(shortest(12.3456789)).toBe('12.3457')
    expect(shortest(0)).toBe('0')
    expect(shortest(1796590012.4567)).toBe('1796590012.457')
    expect(shortest(123456789)).toBe('123456789')
  })

  it('quotes a header that holds a comma or a quote', () => {
    expect(csvField('order_p95_s{GET /a,b}')).toBe('"order_p95_s{GET /a,b}"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('plain')).toBe('plain')
  })
})

describe('the ground truth’s targets', () => {
  it('names a switch, a process, a network edge or a dependency', () => {
    expect(targetOf({ service: 'order', fault: 'payment_fail' })).toEqual({ kind: 'switch', service: 'order' })
    expect(targetOf({ service: 'order', fault: 'kill' })).toEqual({ kind: 'process', service: 'order' })
    expect(targetOf({ service: 'order-restaurant', fault: 'latency' })).toEqual({
      kind: 'network',
      edge: 'order-restaurant',
      from: 'order',
      to: 'restaurant',
    })
    expect(targetOf({ service: 'gateway-user', fault: 'down' })).toMatchObject({ kind: 'network', from: 'gateway' })
    expect(targetOf({ service: 'order-postgres', fault: 'terminate-sessions' })).toEqual({
      kind: 'dependency',
      dependency: 'postgres',
      service: 'order',
    })
    expect(targetOf({ service: 'redis', fault: 'client-pause' })).toEqual({ kind: 'dependency', dependency: 'redis' })
  })
})

const phase = (overrides: Partial<PhaseVerdict>): PhaseVerdict => ({
  phase: 'fault',
  from_s: 0,
  until_s: 10,
  requests: 1000,
  throughput_rps: 100,
  p95_ms: 50,
  p99_ms: 80,
  error_ratio: 0.01,
  unanswered: 0,
  outcomes: { '201': 900 },
  hypothesis_met: true,
  ...overrides,
})
const verdict = (phases: PhaseVerdict[], invariantOk = true): Verdict => ({
  experiment: 'x',
  status: 'completed',
  deviated: false,
  interruption: null,
  hypothesis: { before: true, after: true, checks_during: 4, failed_during: 0 },
  phases,
  time_to_detect_s: null,
  time_to_recover_s: null,
  error_budgets: null,
  time_to_page_s: null,
  invariants: [{ name: 'stock adds up', ok: invariantOk, detail: invariantOk ? 'ok' : '3 units missing' }],
})

describe('runs diff', () => {
  it('prints each phase side by side, and is within thresholds it was not given', () => {
    const a = verdict([phase({ phase: 'baseline' }), phase({})])
    const b = verdict([
      phase({ phase: 'baseline' }),
      phase({ throughput_rps: 50, p95_ms: 200, outcomes: { '503': 4 } }),
    ])
    const { lines, breaches } = diffVerdicts(a, b)
    expect(breaches).toEqual([])
    const text = lines.join('\n')
    expect(text).toMatch(/fault:\n {2}requests/)
    expect(text).toMatch(/throughput\s+100 req\/s →\s+50 req\/s {2}-50\.0%/)
    expect(text).toMatch(/orders 503\s+0 →\s+4/)
  })

  it('names every change past a threshold, and a broken invariant or an unfinished run always', () => {
    const a = verdict([phase({})])
    const b = verdict([phase({ throughput_rps: 70, p95_ms: 80, error_ratio: 0.05 })], false)
    expect(diffVerdicts(a, b, { throughputDrop: 0.2, p95Rise: 0.5, errorRatioRise: 0.01 }).breaches).toEqual([
      'fault: throughput 100 → 70 req/s (-30.0%, past −20.0%)',
      'fault: p95 50 → 80 ms (+60.0%, past +50.0%)',
      'fault: error ratio 0.01 → 0.05 (+0.0400, past +0.01)',
      'invariant "stock adds up" broke: 3 units missing',
    ])
    expect(diffVerdicts(a, b, { throughputDrop: 0.5, p95Rise: 1, errorRatioRise: 0.1 }).breaches).toHaveLength(1)
    expect(diffVerdicts(a, { ...a, status: 'aborted' }).breaches).toEqual(['status: completed → aborted'])
    expect(diffVerdicts(a, { ...a, status: 'invalid' }).breaches).toEqual([
      'B is not valid evidence (another client changed its faults)',
      'status: completed → invalid',
    ])
  })

  it('says when the two runs are of different experiments, and keeps its columns aligned under long labels', () => {
    const a = verdict([phase({ outcomes: { '201': 900, '503 DEPENDENCY_UNAVAILABLE': 3 } })])
    const { lines } = diffVerdicts(a, { ...a, experiment: 'y' })
    expect(lines).toContain('note: A and B are runs of different experiments; their figures are compared all the same')
    expect(diffVerdicts(a, a).lines.join('\n')).not.toContain('different experiments')
    const rows = lines.filter((line) => /^ {2}(requests|throughput|p95|p99|error ratio|unanswered|orders) /.test(line))
    const arrows = rows.map((line) => line.indexOf('→'))
    expect(arrows.length).toBeGreaterThan(6)
    expect(new Set(arrows).size).toBe(1)
  })
})

describe('the run’s log lines', () => {
  it('keeps the lines of the run’s time from every *.log, naming the service, skipping what is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-logs-'))
    const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 21, 0, s)).toISOString()
    await writeFile(
      join(dir, 'order.log'),
      [
        JSON.stringify({ time: at(1), msg: 'before' }),
        JSON.stringify({ time: at(5), msg: 'chaos fault set', trace_id: 'abc' }),
        'not json',
        JSON.stringify({ time: at(9), msg: 'after' }),
      ].join('\n'),
    )
    await writeFile(join(dir, 'user.log'), `${JSON.stringify({ time: at(6), service: 'user-service', msg: 'in' })}\n`)
    await writeFile(join(dir, 'notes.txt'), 'not a log')
    const lines: string[] = []
    const collected = await collectLogs(
      { dir, offsets: new Map() },
      { fromMs: Date.parse(at(3)), untilMs: Date.parse(at(7)) },
      (line) => lines.push(line),
    )
    expect(collected).toEqual({ lines: 2, files: ['order.log', 'user.log'], skipped: 1 })
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { service: 'order', time: at(5), msg: 'chaos fault set', trace_id: 'abc' },
      { time: at(6), service: 'user-service', msg: 'in' },
    ])
  })

  it('reads each file from where it ended when the run began, and a file started anew from its start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-logs-'))
    const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 21, 0, s)).toISOString()
    const before = `${JSON.stringify({ time: at(4), msg: 'an earlier run' })}\n`
    await writeFile(join(dir, 'order.log'), before)
    const userBefore = `${JSON.stringify({ time: at(4), msg: 'user before' })}\n`.repeat(3)
    await writeFile(join(dir, 'user.log'), userBefore)
    const source = await markLogs(dir)
    expect(source?.offsets).toEqual(
      new Map([
        ['order.log', before.length],
        ['user.log', userBefore.length],
      ]),
    )
    await writeFile(join(dir, 'order.log'), `${before}${JSON.stringify({ time: at(5), msg: 'this run' })}\n`)
    // user.log rotated: shorter than its mark, so read whole.
    await writeFile(join(dir, 'user.log'), `${JSON.stringify({ time: at(5), msg: 'user anew' })}\n`)
    const lines: string[] = []
    await collectLogs(source as LogSource, { fromMs: Date.parse(at(0)), untilMs: Date.parse(at(9)) }, (line) =>
      lines.push(line),
    )
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['this run', 'user anew'])
  })
})

describe('the answer key’s check', () => {
  const csv = [
    'time,order_error_ratio,"order_p50_s{GET /a,b}"',
    '100.000,0,0.010',
    '101.000,0,0.012',
    '102.000,0.5,0.400',
    '103.000,0.2,',
    '110.000,0.9,0.900',
  ].join('\n')
  const window = { start: new Date(101_500).toISOString(), end: new Date(102_500).toISOString() }
  const above = { column: 'order_error_ratio', check: { kind: 'above' as const, value: 0 }, says: '' }

  it('sees a column above a value in the fault’s window, and not before it', () => {
    // The window and the 3 s after it; not the row at 110 s.
    expect(symptomShown(csv, window, above)).toEqual({ shown: true, before: [0, 0], during: [0.5, 0.2] })
    // A column already above before the fault is no sign of it.
    const late = { start: new Date(102_500).toISOString(), end: new Date(102_600).toISOString() }
    expect(symptomShown(csv, late, above)).toMatchObject({ shown: false, before: [0, 0, 0.5] })
  })

  it('sees a rise above the median before the fault, in a quoted column; a missing column is no symptom', () => {
    const p50 = (by: number) => ({
      column: 'order_p50_s{GET /a,b}',
      check: { kind: 'rises-by' as const, by },
      says: '',
    })
    expect(symptomShown(csv, window, p50(0.3)).shown).toBe(true)
    expect(symptomShown(csv, window, p50(0.5)).shown).toBe(false)
    expect(symptomShown(csv, window, { ...p50(0), column: 'nowhere' })).toEqual({
      shown: false,
      before: [],
      during: [],
    })
  })

  it('sees a column below a value in the window (a scrape unanswered), and not before it', () => {
    const up = ['time,order_up', '100.000,1', '101.000,1', '102.000,0', '103.000,1'].join('\n')
    const below = { column: 'order_up', check: { kind: 'below' as const, value: 1 }, says: '' }
    expect(symptomShown(up, window, below)).toEqual({ shown: true, before: [1, 1], during: [0, 1] })
    expect(symptomShown(up.replace('101.000,1', '101.000,0'), window, below).shown).toBe(false)
  })

  it('reads a CSV line, quotes undone', () => {
    expect(parseCsvLine('a,"b,c","say ""hi""",')).toEqual(['a', 'b,c', 'say "hi"', ''])
  })
})
