/**
 * Runs a k6 script as `k6 run` would: each VU a thread, each scenario under its executor, then the
 * thresholds and the summary (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci).
 */
import { setTimeout as delay } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { MetricStore, type MetricType, type Sample } from './metrics.ts'
import { arrivalOffsets, maxVUs, rampingTarget, type Scenario, scaled, scenariosOf } from './scenarios.ts'
import { type RunResult, summaryText } from './summary.ts'
import { evaluateThresholds } from './thresholds.ts'
import type { DoneMessage, RunMessage, SharedArrays, VuWorkerData } from './vu-worker.ts'

export interface RunOptions {
  /** The script's path. */
  script: string
  /** `__ENV` (k6's `-e NAME=value`). */
  env?: Record<string, string>
  /** Every scenario made this many times smaller (durations, iterations, VUs): 0.1 in CI. */
  scale?: number
  /** Aborting it stops the test as k6 does on Ctrl-C: no new iterations, then teardown and the summary. */
  signal?: AbortSignal
}

/** A VU thread (vu-worker.ts), which runs one call at a time. */
class VirtualUser {
  readonly #worker: Worker
  readonly #exited: Promise<never>

  private constructor(worker: Worker) {
    this.#worker = worker
    this.#exited = new Promise((_, reject) =>
      worker.once('exit', (code) => reject(new Error(`VU thread exited (${code}) during a call`))),
    )
    this.#exited.catch(() => {})
  }

  static async start(data: VuWorkerData) {
    const worker = new Worker(new URL('./vu-thread.mjs', import.meta.url), { workerData: data })
    const [first] = (await Promise.race([
      new Promise((resolve) => worker.once('message', (message) => resolve([message]))),
      new Promise((_, reject) => worker.once('error', reject)),
    ])) as [
      {
        ready: boolean
        error?: string
        options?: Record<string, unknown>
        exports?: string[]
        sharedArrays?: SharedArrays
        declaredMetrics?: Record<string, MetricType>
      },
    ]
    if (!first.ready) throw new Error(`the script did not load: ${first.error}`)
    return {
      vu: new VirtualUser(worker),
      options: first.options ?? {},
      exports: first.exports ?? [],
      sharedArrays: first.sharedArrays ?? {},
      declaredMetrics: first.declaredMetrics ?? {},
    }
  }

  run(message: RunMessage): Promise<DoneMessage> {
    const answer = new Promise<DoneMessage>((resolve) => this.#worker.once('message', resolve))
    this.#worker.postMessage(message)
    return Promise.race([answer, this.#exited])
  }

  stop(): Promise<number> {
    return this.#worker.terminate()
  }
}

/** Runs a k6 script as `k6 run` would (see docs/load-testing.md), and evaluates its thresholds. */
export async function runScript({ script, env = {}, scale = 1, signal }: RunOptions): Promise<RunResult> {
  const metrics = new MetricStore()
  const iterationErrors: string[] = []
  const users: VirtualUser[] = []
  let aborted: string | undefined
  const interrupt = () => {
    aborted ??= 'interrupted (the teardown still runs)'
  }
  if (signal?.aborted) interrupt()
  signal?.addEventListener('abort', interrupt, { once: true })
  let nextVu = 1
  const collect = (done: DoneMessage) => {
    for (const sample of done.samples) metrics.add(sample)
    if (done.error) iterationErrors.push(done.error)
    if (done.aborted) aborted ??= done.aborted
    return done
  }

  // The first VU's init code builds each SharedArray; every later VU gets those (k6 runs the
  // function once per test, not once per VU).
  const {
    vu: first,
    options,
    exports,
    sharedArrays,
    declaredMetrics,
  } = await VirtualUser.start({
    script,
    env,
    vuId: 0,
  })
  for (const [name, type] of Object.entries(declaredMetrics)) metrics.declare(name, type)
  users.push(first)
  try {
    const scenarios = scenariosOf(options).map((scenario) => (scale === 1 ? scenario : scaled(scenario, scale)))
    let data: unknown
    let setupError: string | undefined
    if (exports.includes('setup')) {
      const done = collect(
        await first.run({ exec: 'setup', data: undefined, scenario: '', iteration: 0, kind: 'setup' }),
      )
      data = done.result
      setupError = done.error
    }
    const started = performance.now()
    if (!setupError && !aborted) {
      const startVu = async () => {
        const { vu } = await VirtualUser.start({ script, env, vuId: nextVu++, sharedArrays })
        users.push(vu)
        return vu
      }
      await Promise.all(
        scenarios.map((scenario) =>
          runScenario(scenario, {
            startVu,
            data,
            collect,
            aborted: () => aborted !== undefined,
            record: (sample) => metrics.add(sample),
          }),
        ),
      )
    }
    const durationSeconds = (performance.now() - started) / 1000
    metrics.add({ metric: 'vus_max', type: 'gauge', value: nextVu - 1, tags: {} })
    if (exports.includes('teardown') && !setupError) {
      const done = collect(await first.run({ exec: 'teardown', data, scenario: '', iteration: 0, kind: 'teardown' }))
      if (done.error) iterationErrors.push(`teardown: ${done.error}`)
    }
    const thresholds = evaluateThresholds(
      (options.thresholds ?? {}) as Record<string, (string | { threshold: string })[]>,
      metrics,
      durationSeconds,
      scale,
    )
    const checks = checkResults(metrics.samples('checks'))
    const result = {
      ok: !aborted && !setupError && thresholds.every((threshold) => threshold.ok),
      ...(aborted ? { aborted } : {}),
      ...(signal?.aborted ? { interrupted: true } : {}),
      ...(setupError ? { setupError } : {}),
      thresholds,
      checks,
      iterationErrors,
      metrics,
      durationSeconds,
    }
    return { ...result, summary: summaryText(result) }
  } finally {
    await Promise.all(users.map((user) => user.stop()))
  }
}

function checkResults(samples: Sample[]) {
  const byName = new Map<string, { name: string; passes: number; fails: number }>()
  for (const sample of samples) {
    const name = sample.tags.check as string
    const entry = byName.get(name) ?? { name, passes: 0, fails: 0 }
    if (sample.value) entry.passes++
    else entry.fails++
    byName.set(name, entry)
  }
  return [...byName.values()]
}

interface ScenarioContext {
  startVu(): Promise<VirtualUser>
  data: unknown
  collect(done: DoneMessage): DoneMessage
  aborted(): boolean
  record(sample: Sample): void
}

/** One scenario under its executor, with k6's rules of when an iteration starts. */
export async function runScenario(scenario: Scenario, context: ScenarioContext): Promise<void> {
  await delay(scenario.startTimeMs)
  const users = await Promise.all(Array.from({ length: maxVUs(scenario) }, () => context.startVu()))
  const start = Date.now()
  const elapsed = () => Date.now() - start
  const within = (limitMs: number) => !context.aborted() && elapsed() < limitMs
  let iteration = 0
  const iterate = async (user: VirtualUser) => {
    context.collect(
      await user.run({
        exec: scenario.exec,
        data: context.data,
        scenario: scenario.name,
        iteration: iteration++,
        kind: 'iteration',
      }),
    )
  }
  const eachUser = (loop: (user: VirtualUser, index: number) => Promise<void>) => Promise.all(users.map(loop))

  switch (scenario.executor) {
    case 'constant-vus':
      await eachUser(async (user) => {
        while (within(scenario.durationMs)) await iterate(user)
      })
      return
    case 'per-vu-iterations':
      await eachUser(async (user) => {
        for (let done = 0; done < scenario.iterations && within(scenario.maxDurationMs); done++) await iterate(user)
      })
      return
    case 'shared-iterations': {
      let left = scenario.iterations
      await eachUser(async (user) => {
        while (left > 0 && within(scenario.maxDurationMs)) {
          left--
          await iterate(user)
        }
      })
      return
    }
    case 'ramping-vus':
      await eachUser(async (user, index) => {
        for (;;) {
          const target = rampingTarget(scenario, elapsed())
          if (target === undefined || context.aborted()) return
          if (index < target) await iterate(user)
          else await delay(20)
        }
      })
      return
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const free = [...users]
      const running: Promise<void>[] = []
      let vus = users.length
      for (const offset of arrivalOffsets(scenario)) {
        if (context.aborted()) break
        await delay(Math.max(0, offset - elapsed()))
        const user = free.pop()
        if (user) {
          running.push(iterate(user).finally(() => free.push(user)))
          continue
        }
        // As k6: the iteration no VU is free for is dropped and counted, and a VU is started in
        // the background (up to maxVUs) for the iterations to come.
        context.record({ metric: 'dropped_iterations', type: 'counter', value: 1, tags: { scenario: scenario.name } })
        if (vus < scenario.maxVUs) {
          vus++
          running.push(context.startVu().then((started) => void free.unshift(started)))
        }
      }
      await Promise.all(running)
      return
    }
  }
}

export type { RunResult }
