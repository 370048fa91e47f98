/**
 * Experiments run against the real fleet: every file in load-tests/experiments/ at a small scale
 * with its hypothesis holding; a restaurant that loses updates caught by the invariants; a failed
 * safeguard interrupting the method and the rollbacks clearing every fault; and, through the CLI
 * as a user runs it, a bad file, a fleet not steady to begin with, and Ctrl-C mid-method.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import { ROOT, spawnCollecting } from '@food/testing/run-cli'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { htmlJournal, probeSeries } from '../../src/experiment/html-journal.ts'
import type { Journal } from '../../src/experiment/journal.ts'
import { readExperiment } from '../../src/experiment/load-file.ts'
import { runExperiment } from '../../src/experiment/run.ts'
import { chromium } from '../chromium.ts'
import { experimentEnv } from '../experiment-env.ts'

const EXPERIMENTS = fileURLToPath(new URL('../../../load-tests/experiments/', import.meta.url))
const FAST_RECOVERY = {
  RECOVERY_ENABLED: 'true',
  RECOVERY_INTERVAL_MS: '200',
  PENDING_TIMEOUT_S: '3',
  USER_TIMEOUT_MS: '5000',
}

const envOf = (fleet: TestFleet) => ({
  ...experimentEnv(fleet),
  SERVICE_TOKEN: fleet.restaurant.config.SERVICE_TOKEN,
})

/** Runs an experiment: a file's text, or the content of one (checked as a file is). */
const run = (fleet: TestFleet, experiment: object | string, scale = 0.1) =>
  runExperiment(
    readExperiment(
      typeof experiment === 'string' ? experiment : JSON.stringify(experiment),
      'experiment.json',
      envOf(fleet),
    ),
    { scale, hypothesisFrequencyS: 0.5, serviceToken: fleet.restaurant.config.SERVICE_TOKEN },
  )

const faultsOf = async (fleet: TestFleet) => ({
  user: (await fleet.user.call('GET', '/chaos')).body.faults,
  restaurant: (await fleet.restaurant.call('GET', '/chaos')).body.faults,
  order: (await fleet.order.call('GET', '/chaos')).body.faults,
})
const NO_FAULTS = { user: {}, restaurant: {}, order: {} }

const load = (concurrency: number, duration_s: number) => ({
  type: 'action',
  name: 'orders in the background',
  background: true,
  provider: { type: 'fleet', action: 'load', profile: 'order', duration_s, concurrency },
})
const clearEverything = {
  type: 'action',
  name: 'clear every fault',
  provider: { type: 'fleet', action: 'clear-faults' },
}
const stockAddsUp = { type: 'probe', name: 'the stock adds up', tolerance: true, provider: { type: 'invariants' } }

describe('experiments against the real fleet', () => {
  let fleet: TestFleet
  beforeAll(async () => {
    fleet = await startFleet(FAST_RECOVERY)
    await fleet.restaurant.createMenu(1) // a load adds its menu to an existing restaurant
  })
  afterAll(() => fleet.close())

  it('runs every experiment file at a small scale, its hypothesis holding throughout', async () => {
    const files = (await readdir(EXPERIMENTS)).filter((file) => file.endsWith('.json') && file !== 'schema.json')
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) {
      const journal = await run(fleet, await readFile(join(EXPERIMENTS, file), 'utf8'))
      const notMet = [...journal.steady_states.during, journal.steady_states.after].flatMap((state) =>
        (state?.probes ?? [])
          .filter((probe) => !probe.tolerance_met)
          .map((probe) => [state?.at_s, probe.activity.name, probe.output ?? probe.exception]),
      )
      expect({ file, status: journal.status, deviated: journal.deviated, notMet }).toEqual({
        file,
        status: 'completed',
        deviated: false,
        notMet: [],
      })
      expect(journal.steady_states.before?.steady_state_met, file).toBe(true)
      expect(journal.steady_states.during.length, file).toBeGreaterThan(0)
      expect(await faultsOf(fleet), file).toEqual(NO_FAULTS)
    }
  }, 240_000)

  it('runs the worked experiment of docs/experiments.md, as written, its hypothesis holding', async () => {
    const readme = await readFile(join(ROOT, 'docs/experiments.md'), 'utf8')
    const yaml = /```yaml\n(# yaml-language-server[^\n]*\ntitle: Half of the payments fail[\s\S]*?)```/.exec(
      readme,
    )?.[1]
    expect(yaml).toBeDefined()
    const loaded = readExperiment(yaml as string, 'my-experiment.yaml', envOf(fleet))
    const journal = await runExperiment(loaded, {
      scale: 0.2,
      hypothesisFrequencyS: 0.5,
      serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
    })
    expect(journal).toMatchObject({ status: 'completed', deviated: false })
    expect(journal.fault_windows).toMatchObject([{ service: 'order', fault: 'payment_fail', value: 50 }])
    expect(await faultsOf(fleet)).toEqual(NO_FAULTS)
  }, 60_000)

  it('journals in Chaos Toolkit’s fields, with the fault’s window, the phases and the invariants', async () => {
    const running = run(fleet, await readFile(join(EXPERIMENTS, 'payment-chaos.json'), 'utf8'), 0.2)
    // While it runs, every service's GET /chaos says so, for the chaos console.
    await expect
      .poll(async () => (await fleet.restaurant.call('GET', '/chaos')).body.run?.phase, { timeout: 10_000 })
      .toBe('fault')
    const shown = (await fleet.order.call('GET', '/chaos')).body.run
    expect(shown).toMatchObject({
      title: "30% of payments fail, and every failed order's stock comes back",
      step: 'method',
    })
    expect(shown.probes.map((probe: { name: string }) => probe.name)).toContain('p95 of POST /orders under 1 s')
    const journal = await running
    expect((await fleet.order.call('GET', '/chaos')).body.run).toBeNull()
    expect(journal).toMatchObject({
      status: 'completed',
      deviated: false,
      steady_states: { before: { steady_state_met: true }, after: { steady_state_met: true } },
      rollbacks: [{ status: 'succeeded', activity: { name: 'clear every fault' } }],
      fault_windows: [{ service: 'order', fault: 'payment_fail', value: 30, ended_by: 'expired' }],
      time_to_detect_s: null,
    })
    for (const activity of [...journal.run, ...journal.rollbacks]) {
      expect(Object.keys(activity)).toEqual(expect.arrayContaining(['activity', 'status', 'start', 'end', 'duration']))
    }
    expect(journal.phases.map((phase) => phase.phase)).toEqual(['baseline', 'fault', 'recovery'])
    for (const phase of journal.phases) expect(phase.requests).toBeGreaterThan(0)
    expect(journal.invariants?.every((invariant) => invariant.ok)).toBe(true)
    // Payments did fail while the fault was on: the method's probe counted them from the metrics.
    const failedPayments = journal.run.find((activity) => activity.activity.name.startsWith('orders that failed'))
    expect(failedPayments?.output).toBeGreaterThan(0)

    // --html: one page, offline, drawn in a browser: latency, throughput, and a chart per probe with values.
    const page = htmlJournal(journal)
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=/)
    const file = join(await mkdtemp(join(tmpdir(), 'journal-')), 'journal.html')
    await writeFile(file, page)
    const dom = chromium(['--dump-dom', `file://${file}`]).stdout
    expect(dom).toContain('data-rendered="true"')
    const charted = probeSeries(journal).filter((probe) => probe.values.some((value) => value !== null))
    expect(charted.length).toBe(4)
    expect(dom.match(/<canvas/g)?.length).toBe(2 + charted.length)
    expect(dom).toContain('HELD: the steady-state hypothesis held throughout')
    expect(dom).toContain('order payment_fail=30')
  }, 60_000)

  it('a failed safeguard interrupts the method at once, skips the rest, and the rollbacks clear every fault', async () => {
    const journal = await run(
      fleet,
      {
        title: 'errors on the order service trip the safeguard',
        safeguards: [
          {
            type: 'probe',
            name: 'the order service does not answer errors on purpose',
            frequency: 0.2,
            tolerance: { type: 'jsonpath', path: '$.faults.error', count: 0 },
            provider: { type: 'http', url: '${order_url}/chaos' },
          },
        ],
        method: [
          load(2, 20),
          {
            type: 'action',
            name: 'slow the restaurant',
            provider: { type: 'fleet', action: 'fault', service: 'restaurant', fault: 'delay', value: 50 },
          },
          {
            type: 'action',
            name: 'errors on the order service',
            pauses: { after: 10 },
            provider: { type: 'fleet', action: 'fault', service: 'order', fault: 'error', value: true },
          },
          {
            type: 'action',
            name: 'never reached',
            provider: { type: 'fleet', action: 'fault', service: 'user', fault: 'delay', value: 100 },
          },
        ],
        rollbacks: [clearEverything],
      },
      1,
    )
    expect(journal.status).toBe('interrupted')
    expect(journal.interruption).toBe('safeguard "the order service does not answer errors on purpose" failed')
    expect(journal.run.map((activity) => activity.activity.name)).not.toContain('never reached')
    // Stopped well before the 10 s pause or the 20 s load would have ended.
    expect(journal.duration).toBeLessThan(8)
    expect(journal.rollbacks).toMatchObject([{ status: 'succeeded' }])
    expect(await faultsOf(fleet)).toEqual(NO_FAULTS)
    expect(journal.fault_windows.map((window) => [window.service, window.fault, window.ended_by])).toEqual([
      ['restaurant', 'delay', 'cleared'],
      ['order', 'error', 'cleared'],
    ])
  }, 60_000)
})

describe('an experiment against a restaurant that loses updates', () => {
  let fleet: TestFleet
  beforeAll(async () => {
    // The test-only strategy without any lock: concurrent orders lose stock updates.
    fleet = await startFleet(FAST_RECOVERY, { STOCK_LOCK_STRATEGY: 'unsafe', ALLOW_UNSAFE_STOCK_STRATEGY: 'true' })
    await fleet.restaurant.createMenu(1)
  })
  afterAll(() => fleet.close())

  it('deviates, naming the invariant that broke', async () => {
    const journal: Journal = await run(
      fleet,
      {
        title: 'concurrent orders keep the stock right',
        'steady-state-hypothesis': { title: 'the stock adds up', probes: [stockAddsUp] },
        method: [load(16, 3)],
      },
      1,
    )
    expect(journal.deviated).toBe(true)
    expect(journal.status).toBe('failed')
    const after = journal.steady_states.after?.probes[0]?.output as { broken: string[] }
    expect(after.broken).toContain('initial = stock + units in CONFIRMED orders')
    expect(journal.invariants?.filter((invariant) => !invariant.ok).map((invariant) => invariant.name)).toContain(
      'initial = stock + units in CONFIRMED orders',
    )
  }, 60_000)
})

let records = 0

/** The CLI as a user runs it (`npm run experiment -- …`), against the test fleet. */
function cli(fleet: TestFleet, args: string[]) {
  // Its record out of the way, not in the checkout's runs/.
  records += 1
  const out = join(tmpdir(), `experiment-record-${process.pid}-${records}`)
  const { child, exited, output } = spawnCollecting(
    join(ROOT, 'node_modules/.bin/tsx'),
    ['lab/src/experiment/cli.ts', ...args, '--out', out],
    { cwd: ROOT, env: { ...process.env, ...envOf(fleet) } },
  )
  const saw = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never printed "${text}":\n${output()}`)), 30_000)
      const look = () => {
        if (!output().includes(text)) return
        clearTimeout(timer)
        resolve()
      }
      child.stdout?.on('data', look)
      look()
    })
  return { child: child as ChildProcess, exited, saw, output }
}

describe('npm run experiment', () => {
  let fleet: TestFleet
  let dir: string
  beforeAll(async () => {
    fleet = await startFleet(FAST_RECOVERY)
    await fleet.restaurant.createMenu(1)
    dir = await mkdtemp(join(tmpdir(), 'experiments-'))
  })
  afterAll(() => fleet.close())

  const file = async (name: string, experiment: unknown) => {
    const path = join(dir, name)
    await writeFile(path, JSON.stringify(experiment))
    return path
  }

  it('refuses a bad file with every problem and its path, exit code 2, nothing injected', async () => {
    const twoFaults = [
      {
        type: 'action',
        name: 'fine',
        provider: { type: 'fleet', action: 'fault', service: 'order', fault: 'payment_fail', value: 100 },
      },
      {
        type: 'action',
        name: 'no such fault',
        provider: { type: 'fleet', action: 'fault', service: 'order', fault: 'meteor', value: 1 },
      },
    ]
    const badPause = { type: 'action', name: 'bad pause', pauses: { before: -1 }, provider: clearEverything.provider }
    const path = await file('bad.json', { title: 'bad', method: [...twoFaults, badPause] })
    const shape = cli(fleet, [path])
    expect(await shape.exited).toBe(2)
    expect(shape.output()).toContain('/method/2/pauses/before')
    // Its shape right, the fault it names is checked against the fleet: still nothing runs.
    const fixed = await file('unknown-fault.json', { title: 'unknown fault', method: twoFaults })
    const meaning = cli(fleet, [fixed])
    expect(await meaning.exited).toBe(2)
    expect(meaning.output()).toMatch(
      /\/method\/1\/provider\/fault: the order service has no fault "meteor" \(it has .*payment_fail/,
    )
    expect(await faultsOf(fleet)).toEqual(NO_FAULTS)
  }, 60_000)

  it('stops when the fleet is not steady to begin with: exit code 2, nothing injected, no rollback', async () => {
    const path = await file('not-steady.json', {
      title: 'not steady',
      'steady-state-hypothesis': {
        title: 'a route that does not exist answers 200',
        probes: [
          {
            type: 'probe',
            name: 'missing route',
            tolerance: 200,
            provider: { type: 'http', url: '${order_url}/nowhere' },
          },
        ],
      },
      method: [
        {
          type: 'action',
          name: 'fail payments',
          provider: { type: 'fleet', action: 'fault', service: 'order', fault: 'payment_fail', value: 100 },
        },
      ],
      rollbacks: [clearEverything],
    })
    const journalPath = join(dir, 'not-steady-journal.json')
    const run = cli(fleet, [path, '--journal', journalPath])
    expect(await run.exited).toBe(2)
    expect(run.output()).toContain('NOT STEADY before the method: nothing was injected')
    const journal: Journal = JSON.parse(await readFile(journalPath, 'utf8'))
    expect(journal).toMatchObject({ status: 'failed', deviated: false, run: [], rollbacks: [] })
    expect(await faultsOf(fleet)).toEqual(NO_FAULTS)
  }, 60_000)

  it('rolls back on Ctrl-C mid-method: status aborted, exit code 1, every fault cleared', async () => {
    const path = await file('long.json', {
      title: 'a long fault',
      method: [
        load(2, 60),
        {
          type: 'action',
          name: 'fail every payment for a minute',
          pauses: { after: 60 },
          provider: { type: 'fleet', action: 'fault', service: 'order', fault: 'payment_fail', value: 100, ttl_s: 120 },
        },
      ],
      rollbacks: [clearEverything],
    })
    const journalPath = join(dir, 'aborted-journal.json')
    const run = cli(fleet, [path, '--journal', journalPath])
    await run.saw('action: fail every payment for a minute')
    await expect.poll(async () => (await faultsOf(fleet)).order).toHaveProperty('payment_fail')
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(1)
    const journal: Journal = JSON.parse(await readFile(journalPath, 'utf8'))
    expect(journal).toMatchObject({
      status: 'aborted',
      interruption: 'aborted (Ctrl-C)',
      rollbacks: [{ status: 'succeeded' }],
    })
    expect(journal.duration).toBeLessThan(30)
    expect(await faultsOf(fleet)).toEqual(NO_FAULTS)
  }, 90_000)
})
