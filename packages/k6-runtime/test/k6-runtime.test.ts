/**
 * The k6-compatible runtime (packages/k6-runtime) pinned to k6's documented behaviour: durations, the
 * options' shortcuts, each executor, each threshold form, form encoding, and a script's life
 * (setup data, __VU/__ITER, checks, custom metrics, fail, abort, timeouts), on real HTTP.
 */
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCliArgs } from '../src/cli-args.ts'
import { durationMs } from '../src/duration.ts'
import { formEncode } from '../src/form.ts'
import { aggregate, interpolatedPercentile, MetricStore } from '../src/metrics.ts'
import { runScript } from '../src/runner.ts'
import { arrivalOffsets, rampingTarget, scaled, scenariosOf } from '../src/scenarios.ts'
import { evaluateThresholds, parseMetricKey } from '../src/thresholds.ts'

describe('options', () => {
  it('reads k6 durations', () => {
    expect(durationMs('30s')).toBe(30_000)
    expect(durationMs('1m30s')).toBe(90_000)
    expect(durationMs('500ms')).toBe(500)
    expect(durationMs('1h')).toBe(3_600_000)
    expect(durationMs('1.5s')).toBe(1500)
    expect(durationMs(250)).toBe(250)
    expect(() => durationMs('30 seconds')).toThrow(/not a k6 duration/)
  })

  it('turns the shortcuts into the scenarios k6 runs', () => {
    expect(scenariosOf({})).toMatchObject([{ executor: 'shared-iterations', vus: 1, iterations: 1, exec: 'default' }])
    expect(scenariosOf({ vus: 5, duration: '10s' })).toMatchObject([
      { executor: 'constant-vus', vus: 5, durationMs: 10_000 },
    ])
    expect(scenariosOf({ vus: 3, iterations: 9 })).toMatchObject([
      { executor: 'shared-iterations', vus: 3, iterations: 9 },
    ])
    expect(scenariosOf({ vus: 2, stages: [{ duration: '5s', target: 4 }] })).toMatchObject([
      { executor: 'ramping-vus', startVUs: 2, stages: [{ durationMs: 5000, target: 4 }] },
    ])
    expect(
      scenariosOf({
        scenarios: { a: { executor: 'per-vu-iterations', vus: 2, iterations: 3, exec: 'other', startTime: '2s' } },
      }),
    ).toMatchObject([{ name: 'a', executor: 'per-vu-iterations', exec: 'other', startTimeMs: 2000 }])
    expect(() => scenariosOf({ scenarios: { a: { executor: 'externally-controlled' } } })).toThrow(
      /not one this runtime has/,
    )
  })

  it('scales a scenario down for CI, never to nothing', () => {
    const [scenario] = scenariosOf({
      scenarios: { s: { executor: 'shared-iterations', vus: 50, iterations: 200, startTime: '5s' } },
    })
    expect(scaled(scenario as never, 0.1)).toMatchObject({ vus: 5, iterations: 20, startTimeMs: 500 })
    const [tiny] = scenariosOf({ vus: 2, duration: '30s' })
    expect(scaled(tiny as never, 0.01)).toMatchObject({ vus: 1, durationMs: 300 })
  })

  it('ramps VUs linearly through the stages, as ramping-vus does', () => {
    const [scenario] = scenariosOf({
      scenarios: {
        r: {
          executor: 'ramping-vus',
          startVUs: 0,
          stages: [
            { duration: '10s', target: 10 },
            { duration: '10s', target: 0 },
          ],
        },
      },
    })
    const at = (ms: number) => rampingTarget(scenario as never, ms)
    expect([at(0), at(5000), at(10_000), at(15_000), at(19_999)]).toEqual([0, 5, 10, 5, 0])
    expect(at(20_000)).toBeUndefined()
  })

  const rampingArrival = (startRate: number, stages: { duration: string; target: number }[]) =>
    scenariosOf({
      scenarios: {
        r: { executor: 'ramping-arrival-rate', startRate, timeUnit: '1s', preAllocatedVUs: 5, maxVUs: 10, stages },
      },
    })[0] as NonNullable<ReturnType<typeof scenariosOf>[number]>

  it('ramping-arrival-rate: starts iterations as the integral of a rate moving linearly through the stages', () => {
    // Steady at 10/s for 1 s: 10 iterations, 100 ms apart, the first at once.
    const steady = arrivalOffsets(rampingArrival(10, [{ duration: '1s', target: 10 }]))
    expect(steady.map(Math.round)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900])
    // From 0 to 10/s over 2 s: 10 iterations in all (the area under the ramp), ever closer together.
    const ramp = arrivalOffsets(rampingArrival(0, [{ duration: '2s', target: 10 }]))
    expect(ramp).toHaveLength(9) // the 10th falls on the end
    expect(Math.round(ramp[0] as number)).toBe(632) // √(2000·2000/10): the first full iteration's worth
    const gaps = ramp.slice(1).map((at, i) => at - (ramp[i] as number))
    expect(gaps).toEqual([...gaps].sort((a, b) => b - a))
    // The original sample's script 02 (1 → 10 → 30, 30 held, → 0 over 2 min): 2,755 iterations.
    const original = rampingArrival(1, [
      { duration: '10s', target: 10 },
      { duration: '30s', target: 30 },
      { duration: '1m', target: 30 },
      { duration: '20s', target: 0 },
    ])
    expect(arrivalOffsets(original)).toHaveLength(2755)
    expect(original).toMatchObject({ startRate: 1, preAllocatedVUs: 5, maxVUs: 10, timeUnitMs: 1000 })
  })

  it('scales an arrival-rate scenario in time and VUs, never in rate (iterations times the factor, not its square)', () => {
    const scenario = rampingArrival(1, [{ duration: '10s', target: 30 }])
    const tenth = scaled(scenario, 0.1)
    expect(tenth).toMatchObject({
      startRate: 1,
      stages: [{ durationMs: 1000, target: 30 }],
      preAllocatedVUs: 1,
      maxVUs: 1,
    })
    expect(arrivalOffsets(tenth).length).toBeCloseTo(arrivalOffsets(scenario).length * 0.1, -1)
  })
})

describe('the command line (npm run k6 -- …)', () => {
  it('reads k6’s own: run, -e/--env, --scale, the script; help; every mistake named', () => {
    expect(parseCliArgs(['run', '-e', 'A=1=2', '--env=B=x', '--scale', '0.1', 'a.js'])).toEqual({
      kind: 'run',
      script: 'a.js',
      env: { A: '1=2', B: 'x' },
      scale: 0.1,
    })
    expect(parseCliArgs(['--scale=0.5', 'a.js'])).toMatchObject({ kind: 'run', scale: 0.5 })
    for (const help of [['--help'], ['-h'], ['run', '--help'], ['help']])
      expect(parseCliArgs(help)).toEqual({ kind: 'help' })
    expect(parseCliArgs([])).toMatchObject({ kind: 'usage-error', message: 'no script given' })
    expect(parseCliArgs(['--scale', '2', 'a.js'])).toMatchObject({ kind: 'usage-error' })
    expect(parseCliArgs(['--vus', '3', 'a.js'])).toMatchObject({ kind: 'usage-error', message: 'unknown flag --vus' })
    expect(parseCliArgs(['-e', 'NOVALUE', 'a.js'])).toMatchObject({ kind: 'usage-error' })
    expect(parseCliArgs(['a.js', 'b.js'])).toMatchObject({ kind: 'usage-error' })
  })

  it('hands the shell the runtime’s own exit code through npm run: 0, 2, 99, 107, 108', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6-cli-'))
    const script = (name: string, source: string) => {
      writeFileSync(join(dir, name), source)
      return name
    }
    const passes = script('passes.js', 'export default function () {}\n')
    const crosses = script(
      'crosses.js',
      "import { Counter } from 'k6/metrics'\nconst c = new Counter('c')\nexport const options = { iterations: 2, thresholds: { c: ['count>10'] } }\nexport default function () { c.add(1) }\n",
    )
    const setupFails = script(
      'setup.js',
      "export function setup() { throw new Error('no') }\nexport default function () {}\n",
    )
    const aborts = script(
      'abort.js',
      "import exec from 'k6/execution'\nexport default function () { exec.test.abort('stop') }\n",
    )
    const missingModule = script('module.js', "import x from 'k6/ws'\nexport default function () {}\n")
    const root = new URL('../../..', import.meta.url).pathname
    const k6 = (...args: string[]) =>
      spawnSync('npm', ['run', '--silent', '--prefix', root, 'k6', '--', ...args], { cwd: dir, encoding: 'utf8' })
    try {
      const help = k6('--help')
      expect(help.status).toBe(0)
      expect(help.stdout).toContain('Exit codes')
      expect(k6(passes).status).toBe(0)
      expect(k6('nothing-here.js')).toMatchObject({ status: 2, stderr: expect.stringContaining('no such file') })
      const crossed = k6(crosses)
      expect(crossed.status).toBe(99)
      expect(crossed.stdout).toContain('thresholds crossed: c count>10')
      expect(k6(setupFails).status).toBe(107)
      expect(k6(aborts).status).toBe(108)
      const unknown = k6(missingModule)
      expect(unknown.status).toBe(107)
      expect(unknown.stderr).toContain('k6/ws: a k6 module this runtime does not have')
      expect(unknown.stderr).not.toMatch(/\n\s+at /) // a message, not a stack
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('form encoding of an object body (Go url.Values.Encode, as k6)', () => {
  it('sorts the keys, writes space as +, percent-encodes UTF-8 and reserved bytes', () => {
    expect(formEncode({ username: 'user', password: 'p@ss word' })).toBe('password=p%40ss+word&username=user')
    expect(formEncode({ b: 'x y', a: 'é&' })).toBe('a=%C3%A9%26&b=x+y')
    expect(formEncode({ keep: 'A-z_0.9~' })).toBe('keep=A-z_0.9~')
    expect(formEncode({ many: [1, 2], none: null })).toBe('many=1&many=2&none=')
  })
})

describe('metrics and thresholds', () => {
  const store = new MetricStore()
  const add = (metric: string, type: 'counter' | 'rate' | 'trend' | 'gauge', value: number, tags = {}) =>
    store.add({ metric, type, value, tags })
  for (const value of [10, 20, 30, 40]) add('http_req_duration', 'trend', value, { name: value > 25 ? 'slow' : 'fast' })
  for (const value of [1, 1, 1, 0]) add('checks', 'rate', value)
  add('hits', 'counter', 3)
  add('hits', 'counter', 2)
  add('queue', 'gauge', 7)
  add('queue', 'gauge', 4)

  it('aggregates as k6 does: percentiles interpolated between ranks', () => {
    expect(interpolatedPercentile([1, 2, 3, 4], 50)).toBe(2.5)
    expect(interpolatedPercentile([10, 20, 30, 40], 95)).toBeCloseTo(38.5)
    expect(aggregate('trend', store.samples('http_req_duration'), 1)).toMatchObject({
      avg: 25,
      min: 10,
      med: 25,
      max: 40,
    })
    expect(aggregate('counter', store.samples('hits'), 2)).toEqual({ count: 5, rate: 2.5 })
    expect(aggregate('rate', store.samples('checks'), 1)).toEqual({ rate: 0.75, passes: 3, fails: 1 })
    expect(aggregate('gauge', store.samples('queue'), 1)).toMatchObject({ value: 4 })
  })

  it('reads a metric key with its tag filter', () => {
    expect(parseMetricKey('http_req_duration{name:POST /orders,method:POST}')).toEqual({
      name: 'http_req_duration',
      filter: { name: 'POST /orders', method: 'POST' },
    })
  })

  it('evaluates every form: p(N), avg/min/max/med, rate, count, value, with tags', () => {
    const results = evaluateThresholds(
      {
        http_req_duration: ['p(95)<40', 'avg<=25', 'max<40', 'med==25', 'min>5'],
        'http_req_duration{name:slow}': ['min>=30'],
        checks: ['rate>0.7', 'rate>0.8'],
        hits: ['count>4', 'rate<2'],
        queue: [{ threshold: 'value<5' }],
      },
      store,
      2,
    )
    expect(results.map(({ metric, expression, ok }) => `${metric} ${expression} ${ok}`)).toEqual([
      'http_req_duration p(95)<40 true',
      'http_req_duration avg<=25 true',
      'http_req_duration max<40 false',
      'http_req_duration med==25 true',
      'http_req_duration min>5 true',
      'http_req_duration{name:slow} min>=30 true',
      'checks rate>0.7 true',
      'checks rate>0.8 false',
      'hits count>4 true',
      'hits rate<2 false',
      'queue value<5 true',
    ])
  })

  it('scales a count threshold’s bound with a scaled run, and no other aggregation', () => {
    const results = evaluateThresholds(
      { hits: ['count>40', 'count<60', 'rate<5'], checks: ['rate>0.7'], http_req_duration: ['p(95)<40'] },
      store,
      2,
      0.1,
    )
    expect(results.map(({ expression, scriptExpression, ok }) => [expression, scriptExpression, ok])).toEqual([
      ['count>4', 'count>40', true],
      ['count<6', 'count<60', true],
      ['rate<5', undefined, true],
      ['rate>0.7', undefined, true],
      ['p(95)<40', undefined, true],
    ])
  })

  it('fails a threshold on a metric never recorded, and refuses an aggregation its type lacks', () => {
    expect(evaluateThresholds({ cache_hits: ['count>0'] }, store, 1)).toMatchObject([{ ok: false }])
    expect(() => evaluateThresholds({ hits: ['p(95)<1'] }, store, 1)).toThrow(/a counter metric has no p\(95\)/)
    expect(() => evaluateThresholds({ hits: ['count is big'] }, store, 1)).toThrow(/not "aggregation operator number"/)
  })
})

describe('scripts run by the runtime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k6-runtime-'))
  let url = ''
  let inFlight = 0
  let mostInFlight = 0
  const server = createServer((request, response) => {
    inFlight++
    mostInFlight = Math.max(mostInFlight, inFlight)
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      const delayMs = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('delay') ?? 5)
      setTimeout(() => {
        inFlight--
        response.setHeader('content-type', 'application/json')
        response.setHeader('x-cache', 'HIT')
        response.statusCode = request.url?.startsWith('/missing') ? 404 : 200
        response.end(JSON.stringify({ method: request.method, body, type: request.headers['content-type'] ?? null }))
      }, delayMs)
    })
  })
  beforeAll(async () => {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const address = server.address()
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(() => {
    server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Writes a script (k6 modules imported as in any k6 script) and runs it against the server. */
  const run = (name: string, source: string) => {
    const script = join(dir, `${name}.js`)
    writeFileSync(
      script,
      `import http from 'k6/http'\nimport { check, fail, group, sleep } from 'k6'\nimport { Counter, Gauge, Rate, Trend } from 'k6/metrics'\nimport exec from 'k6/execution'\n${source}`,
    )
    mostInFlight = 0
    return runScript({ script, env: { URL: url } })
  }
  const total = (result: Awaited<ReturnType<typeof run>>, metric: string) =>
    aggregate('counter', result.metrics.samples(metric), 1).count ?? 0
  const countBy = (result: Awaited<ReturnType<typeof run>>, metric: string, tag: string) => {
    const counts: Record<string, number> = {}
    for (const sample of result.metrics.samples(metric))
      counts[sample.tags[tag] as string] = (counts[sample.tags[tag] as string] ?? 0) + sample.value
    return counts
  }

  it('per-vu-iterations: each VU runs its own count; __VU from 1, __ITER from 0 per VU', async () => {
    const result = await run(
      'per-vu',
      `const seen = new Counter('seen')
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 2 } } }
export default function () { seen.add(1, { vu: String(__VU), iter: String(__ITER), same: String(exec.vu.idInTest === __VU) }) }`,
    )
    expect(countBy(result, 'seen', 'vu')).toEqual({ 1: 2, 2: 2, 3: 2 })
    expect(countBy(result, 'seen', 'iter')).toEqual({ 0: 3, 1: 3 })
    expect(countBy(result, 'seen', 'same')).toEqual({ true: 6 })
    expect(result.ok).toBe(true)
  })

  it('shared-iterations: exactly the count, shared by the VUs; no more than `vus` requests at once', async () => {
    const result = await run(
      'shared',
      `export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 3, iterations: 7 } } }
export default function () { http.get(__ENV.URL + '/?delay=20') }`,
    )
    expect(total(result, 'iterations')).toBe(7)
    expect(mostInFlight).toBeLessThanOrEqual(3)
    expect(mostInFlight).toBeGreaterThan(1)
  })

  it('constant-vus: its VUs loop until the duration ends, the running iteration finishing', async () => {
    const result = await run(
      'constant',
      `export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '300ms' } } }
export default function () { http.get(__ENV.URL + '/?delay=10') }`,
    )
    expect(total(result, 'iterations')).toBeGreaterThan(2)
    // Its VUs at once, never more (how many overlap at an instant is up to the machine's threads).
    expect(mostInFlight).toBeLessThanOrEqual(2)
    expect(mostInFlight).toBeGreaterThan(1)
    expect(aggregate('gauge', result.metrics.samples('vus_max'), 1).value).toBe(2)
  })

  it('ramping-vus: VUs come and go with the stages', async () => {
    const result = await run(
      'ramping',
      `export const options = { scenarios: { s: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '400ms', target: 3 }, { duration: '200ms', target: 3 }, { duration: '200ms', target: 0 }] } } }
export default function () { http.get(__ENV.URL + '/?delay=10') }`,
    )
    expect(aggregate('gauge', result.metrics.samples('vus_max'), 1).value).toBe(3)
    expect(mostInFlight).toBeLessThanOrEqual(3)
    expect(mostInFlight).toBeGreaterThan(1)
    expect(total(result, 'iterations')).toBeGreaterThan(3)
  })

  it('constant-arrival-rate: iterations start on schedule; those no VU is free for are dropped and counted', async () => {
    const result = await run(
      'arrival',
      `export const options = { scenarios: { s: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '500ms', preAllocatedVUs: 1 } } }
export default function () { http.get(__ENV.URL + '/?delay=120') }`,
    )
    const started = total(result, 'iterations')
    const dropped = total(result, 'dropped_iterations')
    expect(started + dropped).toBe(10) // 20 per second for half a second
    expect(dropped).toBeGreaterThan(0) // one VU, busy 120 ms each time
    expect(mostInFlight).toBe(1)
  })

  it('ramping-arrival-rate: the rate ramps through the stages; VUs are added up to maxVUs, the iterations none was free for dropped', async () => {
    const result = await run(
      'ramping-arrival',
      `export const options = { scenarios: { s: { executor: 'ramping-arrival-rate', startRate: 10, timeUnit: '1s', preAllocatedVUs: 1, maxVUs: 3,
  stages: [{ duration: '500ms', target: 30 }, { duration: '500ms', target: 30 }] } } }
export default function () { http.get(__ENV.URL + '/?delay=150') }`,
    )
    const started = total(result, 'iterations')
    const dropped = total(result, 'dropped_iterations')
    // 10 → 30 per second over 0.5 s (10 iterations' worth), then 30 per second for 0.5 s (15).
    expect(started + dropped).toBe(25)
    expect(dropped).toBeGreaterThan(0) // 150 ms each: three VUs make at most 20 per second
    expect(mostInFlight).toBe(3)
    expect(result.metrics.samples('vus_max')[0]?.value).toBe(3)
  })

  it('evaluates a threshold on a declared metric that got no samples as k6 does: a count of 0 (count<40 holds, count>0 does not)', async () => {
    const result = await run(
      'declared-unused',
      `const failures = new Counter('failed_orders'); const seen = new Counter('seen')
export const options = { iterations: 1, thresholds: { failed_orders: ['count<40'], seen: ['count>0'] } }
export default function () { if (__ITER < 0) { failures.add(1); seen.add(1) } }`,
    )
    expect(result.thresholds.map(({ metric, ok, actual }) => `${metric} ${ok} ${actual}`)).toEqual([
      'failed_orders true 0',
      'seen false 0',
    ])
    expect(result.summary).toMatch(/✓ failed_orders\.+: 0 0\.00\/s/)
  })

  it('SharedArray (k6/data): built once for the test, the same in every VU, read-only, only in init code, only an array', async () => {
    const result = await run(
      'shared',
      `import { SharedArray } from 'k6/data'
const users = new SharedArray('users', () => Array.from({ length: 3 }, (_, i) => ({ name: 'user' + i, built: Math.random() })))
export const options = { vus: 3, iterations: 9 }
export function setup() { return users }
export default function (data) {
  check(users, {
    'one build for all VUs': (u) => u[0].built === data[0].built,
    'an array of what was built': (u) => u.length === 3 && u[2].name === 'user2' && [...u].length === 3,
    'an element cannot be changed': (u) => { try { u[0].name = 'x'; return false } catch { return u[0].name === 'user0' } },
    'the array cannot be changed': (u) => { try { u.push({}); return false } catch { return u.length === 3 } },
    'not outside init code': () => { try { new SharedArray('late', () => []); return false } catch (e) { return /init context/.test(e.message) } },
  })
}`,
    )
    expect(result.checks.map(({ name, fails, passes }) => `${name} ${passes}/${passes + fails}`)).toEqual([
      'one build for all VUs 9/9',
      'an array of what was built 9/9',
      'an element cannot be changed 9/9',
      'the array cannot be changed 9/9',
      'not outside init code 9/9',
    ])
    const notAnArray = await run(
      'shared-object',
      `import { SharedArray } from 'k6/data'\nconst data = new SharedArray('d', () => ({ a: 1 }))\nexport default function () {}`,
    ).catch((error: Error) => error.message)
    expect(notAnArray).toMatch(/only arrays can be made into SharedArray/)
  })

  it('open(): a file read in the init context, relative to the script, as text or bytes; not in a VU’s iteration', async () => {
    mkdirSync(join(dir, 'plans'), { recursive: true })
    writeFileSync(join(dir, 'plans', 'plan.json'), JSON.stringify({ faults: ['delay'] }))
    const result = await run(
      'open',
      `const plan = JSON.parse(open('./plans/plan.json'))
const bytes = open('plans/plan.json', 'b')
export const options = { vus: 1, iterations: 2 }
export default function () {
  check(plan, {
    'the JSON, parsed': (p) => p.faults[0] === 'delay',
    'bytes as an ArrayBuffer': () => bytes instanceof ArrayBuffer && bytes.byteLength === 20,
    'not outside init code': () => { try { open('./plans/plan.json'); return false } catch (e) { return /init context/.test(e.message) } },
  })
}`,
    )
    expect(result.checks.map(({ name, fails, passes }) => `${name} ${passes}/${passes + fails}`)).toEqual([
      'the JSON, parsed 2/2',
      'bytes as an ArrayBuffer 2/2',
      'not outside init code 2/2',
    ])
  })

  it('the k6 API the original sample’s five scripts use: stages and a ramping-arrival-rate scenario, SharedArray from setup, Counter/Rate/Trend, form and JSON posts, every threshold form they set', async () => {
    const result = await run(
      'original-surface',
      `import { SharedArray } from 'k6/data'
const successful = new Counter('successful_orders'); const failed = new Counter('failed_orders')
const callsOk = new Rate('service_calls_success_rate'); const cached = new Trend('cached_call_duration')
const users = new SharedArray('users', function () { return Array(4).fill(0).map((_, i) => ({ username: 'testuser' + i, token: null })) })
export const options = {
  scenarios: {
    ramp: { executor: 'ramping-vus', startVUs: 1, stages: [{ duration: '300ms', target: 2 }, { duration: '300ms', target: 0 }] },
    arrivals: { executor: 'ramping-arrival-rate', startRate: 1, timeUnit: '1s', preAllocatedVUs: 2, maxVUs: 4,
      stages: [{ duration: '300ms', target: 20 }, { duration: '300ms', target: 0 }] },
  },
  thresholds: {
    successful_orders: ['count>3'], failed_orders: ['count<1000'], http_req_duration: ['p(95)<3000'],
    http_req_failed: ['rate<0.1'], service_calls_success_rate: ['rate>0.95'], cached_call_duration: ['avg<1000'],
  },
}
let token = ''
export function setup() { return users }
export default function (usersData) {
  const user = usersData[Math.floor(Math.random() * usersData.length)]
  if (!token) {
    const login = http.post(__ENV.URL + '/login', { username: user.username, password: 'p' }, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
    check(login, { 'login successful': (r) => r.status === 200 })
    token = JSON.parse(login.body).method
  }
  const order = http.post(__ENV.URL + '/orders', JSON.stringify({ items: [{ menu_id: 1, quantity: 1 }] }), { headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token } })
  const ok = check(order, { 'order created successfully': (r) => r.status === 200 })
  ok ? successful.add(1) : failed.add(1)
  callsOk.add(ok)
  const read = http.get(__ENV.URL + '/orders/1', { headers: { Authorization: 'Bearer ' + token } })
  cached.add(read.timings.duration)
  sleep(0.05)
}
export function teardown(data) { if (data.length !== 4) throw new Error('teardown without the users') }`,
    )
    expect(result.iterationErrors).toEqual([])
    expect(result.thresholds.map(({ metric, ok }) => `${metric} ${ok}`)).toEqual([
      'successful_orders true',
      'failed_orders true',
      'http_req_duration true',
      'http_req_failed true',
      'service_calls_success_rate true',
      'cached_call_duration true',
    ])
    expect(result.checks.every(({ fails }) => fails === 0)).toBe(true)
    expect(result.ok).toBe(true)
  })

  it('passes setup’s data to every iteration and to teardown; checks, custom metrics and thresholds decide the run', async () => {
    const result = await run(
      'life',
      `const trend = new Trend('my_trend'); const rate = new Rate('my_rate'); const gauge = new Gauge('my_gauge')
export const options = { vus: 2, iterations: 4, thresholds: { checks: ['rate==1'], my_trend: ['max<100'], 'http_req_duration{name:posts}': ['p(99)<5000'] } }
export function setup() { return { token: 'from-setup', at: __VU } }
export default function (data) {
  const posted = http.post(__ENV.URL + '/form', { b: 'x y', a: 1 }, { tags: { name: 'posts' } })
  const json = http.post(__ENV.URL + '/json', JSON.stringify({ a: 1 }), { headers: { 'Content-Type': 'application/json' } })
  group('reads', () => { check(http.get(__ENV.URL + '/'), { 'header names canonical': (r) => r.headers['X-Cache'] === 'HIT' }) })
  check(posted, {
    'data from setup': () => data.token === 'from-setup' && data.at === 0,
    'object body form-encoded': (r) => r.json('body') === 'a=1&b=x+y' && r.json('type') === 'application/x-www-form-urlencoded',
    'string body as is': () => json.json('body') === '{"a":1}' && json.json('type') === 'application/json',
  })
  trend.add(42); rate.add(true); gauge.add(__VU)
}
export function teardown(data) { if (data.token !== 'from-setup') fail('teardown got no data') }`,
    )
    expect(result.checks.map(({ name, fails }) => `${name} ${fails}`)).toEqual([
      'header names canonical 0',
      'data from setup 0',
      'object body form-encoded 0',
      'string body as is 0',
    ])
    expect(
      result.metrics.samples('checks').find((sample) => sample.tags.check === 'header names canonical')?.tags.group,
    ).toBe('::reads')
    expect(result.thresholds.every((threshold) => threshold.ok)).toBe(true)
    expect(result.iterationErrors).toEqual([])
    expect(result.ok).toBe(true)
    expect(result.summary).toMatch(/✓ checks\.+: 100\.00% ✓ 16 ✗ 0/)
  })

  it('fails the run on a crossed threshold or a failed check rate, and says which', async () => {
    const result = await run(
      'crossed',
      `export const options = { iterations: 2, thresholds: { checks: ['rate>0.9'], http_req_failed: ['rate<0.1'] } }
export default function () { check(http.get(__ENV.URL + '/missing'), { 'found': (r) => r.status === 200 }) }`,
    )
    expect(result.ok).toBe(false)
    expect(result.thresholds.filter((threshold) => !threshold.ok).map(({ metric }) => metric)).toEqual([
      'checks',
      'http_req_failed',
    ])
    expect(result.summary).toContain('✗ found')
    expect(result.summary).toContain('thresholds crossed: checks rate>0.9; http_req_failed rate<0.1')
  })

  it('fail() ends the iteration only; test.abort() ends the test and fails it; a timeout is status 0, code 1050', async () => {
    const failing = await run(
      'failing',
      `export const options = { iterations: 3 }
export default function () {
  const response = http.get(__ENV.URL + '/?delay=300', { timeout: '50ms' })
  if (response.status === 0 && response.error_code === 1050) fail('timed out')
}`,
    )
    expect(failing.iterationErrors).toEqual(['timed out', 'timed out', 'timed out'])
    expect(failing.ok).toBe(true)
    const aborted = await run(
      'aborted',
      `export const options = { vus: 1, duration: '5s' }
export default function () { if (__ITER === 2) exec.test.abort('enough'); sleep(0.01) }
export function teardown() { console.log('teardown runs after an abort') }`,
    )
    expect(aborted.aborted).toBe('enough')
    expect(aborted.ok).toBe(false)
    expect(total(aborted, 'iterations')).toBe(2)
  })
})
