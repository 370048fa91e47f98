/**
 * The run record as a user makes one (`npm run experiment -- file --out DIR --logs DIR`) against
 * the real fleet: every file there in its documented shape, the ground truth agreeing with what
 * the order service logged and with what its metrics saw, and `npm run runs -- diff` comparing
 * two records with a threshold.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FLEET_SERVICES } from '@food/config'
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import { runCli } from '@food/testing/run-cli'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InjectionFile } from '../../src/record/injection.ts'
import type { Verdict } from '../../src/record/verdict.ts'
import { FILES } from '../../src/record/write-record.ts'
import { experimentEnv } from '../experiment-env.ts'
import { faultUnderLoad } from '../fault-experiment.ts'

const EXPERIMENT = faultUnderLoad({
  title: 'Every payment fails for 2 s under load',
  load: { profile: 'order', duration_s: 7, concurrency: 3 },
  faults: [
    {
      name: 'every payment fails',
      provider: { action: 'fault', service: 'order', fault: 'payment_fail', value: 100, ttl_s: 2 },
      afterS: 2,
    },
  ],
})

describe('a run record', () => {
  let fleet: TestFleet
  let dir: string
  let recordDir: string
  let run: { code: number | null; output: string }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-record-'))
    // The order service writes its log file as npm start's do, its fault switches at warn.
    fleet = await startFleet({ LOG_LEVEL: 'warn', LOG_FILE: join(dir, 'logs', 'order.log') })
    await fleet.restaurant.createMenu(1)
    const file = join(dir, 'payments-fail.json')
    await writeFile(file, JSON.stringify(EXPERIMENT))
    recordDir = join(dir, 'recordDir')
    run = await runCli(
      'lab/src/experiment/cli.ts',
      [file, '--out', recordDir, '--logs', join(dir, 'logs'), '--hypothesis-frequency', '1', '--seed', '42'],
      {
        ...experimentEnv(fleet),
        SERVICE_TOKEN: fleet.restaurant.config.SERVICE_TOKEN,
      },
    )
  }, 90_000)
  afterAll(() => fleet?.close())

  const read = (name: string) => readFile(join(recordDir, name), 'utf8')

  it('holds every documented file, and a README that says what each holds', async () => {
    expect(run.code, run.output).toBe(0)
    expect(run.output).toContain(`record: ${recordDir}`)
    const readme = await read('README.md')
    expect(readme).toContain('# Every payment fails for 2 s under load')
    for (const name of Object.keys(FILES)) {
      expect(readme).toContain(`| \`${name}\` |`)
      // Traces only when a receiver listened (traces.test.ts), alerts only from a Prometheus
      // (alerts.test.ts): none here, and the README says so.
      if (name === 'traces.jsonl' || name === 'alerts.jsonl') expect(await read(name)).toBe('')
      else expect((await read(name)).length, name).toBeGreaterThan(0)
    }
    expect(readme).toContain(
      'No trace store answered (trace_store_url) and no receiver listened (`--traces host:port`): traces.jsonl is empty.',
    )
    expect(readme).toContain('alerts.jsonl: no alert changed while the run went, or no Prometheus answered')
    expect(JSON.parse(await read('journal.json'))).toMatchObject({ status: 'completed', deviated: false })
  })

  it('gives the ground truth: the fault, its target, parameters and window, as the order service logged it', async () => {
    const truth = JSON.parse(await read('injection.json')) as InjectionFile
    expect(truth.seed).toBe(42)
    expect(truth.injections).toEqual([
      expect.objectContaining({
        target: { kind: 'switch', service: 'order' },
        fault: 'payment_fail',
        value: 100,
        parameters: { ttl_s: 2, seed: expect.any(Number) },
        ended_by: 'expired',
      }),
    ])
    const [injection] = truth.injections
    expect((injection?.until_s ?? 0) - (injection?.from_s ?? 0)).toBeCloseTo(2, 0)
    const logs = (await read('logs.jsonl'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    const set = logs.filter((line) => line.msg === 'chaos fault set' && line.fault === 'payment_fail')
    expect(set).toHaveLength(1)
    expect(set[0]).toMatchObject({ service: 'order', value: 100, ttl_s: 2, seed: injection?.parameters.seed })
    // The service switched it on within a second of when the runner says it did.
    expect(Math.abs(Date.parse(set[0].time) - Date.parse(injection?.start ?? ''))).toBeLessThan(1000)
  })

  it('has a metrics row a second, and the failed payments show in the order service’s columns', async () => {
    const [header, ...rows] = (await read('metrics.csv')).trim().split('\n')
    const columns = (header as string).split(',')
    expect(columns[0]).toBe('time')
    for (const service of FLEET_SERVICES) {
      expect(columns).toEqual(expect.arrayContaining([`${service}_request_rate`, `${service}_rss_bytes`]))
    }
    // A 10 s run or so, a scrape a second.
    expect(rows.length).toBeGreaterThanOrEqual(8)
    const failed = columns.indexOf('order_orders{FAILED payment_failed}')
    expect(failed, columns.join(' ')).toBeGreaterThan(0)
    const truth = JSON.parse(await read('injection.json')) as InjectionFile
    const from = Date.parse(truth.injections[0]?.start ?? '') / 1000
    const until = Date.parse(truth.injections[0]?.end ?? '') / 1000
    const failing = rows
      .map((row) => row.split(','))
      .filter((cells) => Number(cells[failed]) > 0)
      .map((cells) => Number(cells[0]))
    expect(failing.length).toBeGreaterThan(0)
    // Only while the fault was on (and the rate's range, 2.5 s, after it).
    for (const time of failing) {
      expect(time).toBeGreaterThanOrEqual(from)
      expect(time).toBeLessThanOrEqual(until + 3)
    }
  })

  it('gives a verdict whose fault phase counts the failed orders', async () => {
    const verdict = JSON.parse(await read('verdict.json')) as Verdict
    expect(verdict).toMatchObject({
      status: 'completed',
      deviated: false,
      hypothesis: { before: true, after: true },
    })
    expect(verdict.phases.map((phase) => phase.phase)).toEqual(['baseline', 'fault', 'recovery'])
    expect(verdict.phases[1]?.outcomes['201 payment_failed']).toBeGreaterThan(0)
    // A phase counts a request from when it began: only the orders in flight as the fault came
    // (one per user at most) failed in the baseline.
    expect(verdict.phases[0]?.outcomes['201 payment_failed'] ?? 0).toBeLessThanOrEqual(3)
    expect(verdict.invariants?.every((invariant) => invariant.ok)).toBe(true)
  })

  it('compares two records: within the thresholds, or exit 1 naming what moved past one', async () => {
    const same = await runCli('lab/src/record/cli.ts', ['diff', recordDir, recordDir, '--max-throughput-drop', '20%'])
    expect(same.code, same.output).toBe(0)
    expect(same.output).toMatch(/fault:\n {2}requests/)
    expect(same.output).toContain('within the thresholds')

    const verdict = JSON.parse(await read('verdict.json')) as Verdict
    const slower = {
      ...verdict,
      phases: verdict.phases.map((phase) => ({ ...phase, throughput_rps: phase.throughput_rps / 2 })),
    }
    const slowerFile = join(dir, 'slower-verdict.json')
    await writeFile(slowerFile, JSON.stringify(slower))
    const gate = await runCli('lab/src/record/cli.ts', ['diff', recordDir, slowerFile, '--max-throughput-drop', '20%'])
    expect(gate.code, gate.output).toBe(1)
    expect(gate.output).toMatch(/past the thresholds:\n {2}baseline: throughput .* \(-50\.0%, past −20\.0%\)/)

    const bad = await runCli('lab/src/record/cli.ts', ['diff', recordDir, join(dir, 'nowhere')])
    expect(bad).toMatchObject({ code: 2, output: expect.stringContaining('no such record') })
  })
})
