/**
 * The small parts with rules of their own: Go durations and logfmt as Tempo reads them, the
 * configuration (defaults, every bad option named, the environment), and the latency window
 * behind "above the route's p99".
 */
import { describe, expect, it } from 'vitest'
import { parseGoDuration } from '../src/api/go-duration.ts'
import { parseLogfmt } from '../src/api/logfmt.ts'
import { envName, optionsFromEnv, resolveConfig, type TraceStoreConfigError } from '../src/config.ts'
import { RouteLatencies } from '../src/store/latency.ts'

describe('Go durations', () => {
  it.each([
    ['0', 0],
    ['100ms', 100e6],
    ['1.5s', 1.5e9],
    ['2m', 120e9],
    ['1h30m', 5400e9],
    ['250us', 250e3],
    ['250µs', 250e3],
    ['10ns', 10],
    ['.5s', 0.5e9],
    ['+3s', 3e9],
  ])('%s is %d ns', (text, nanos) => expect(parseGoDuration(text)).toBe(nanos))

  it.each(['', '1', 'ms', '-1s', '1 s', '1d', '1s2', 'fast', '1.2.3s'])('`%s` is none', (text) =>
    expect(parseGoDuration(text)).toBeUndefined(),
  )
})

describe('logfmt', () => {
  it('reads pairs, quoted values with spaces and escapes', () => {
    expect(parseLogfmt('  service.name=order  name="POST /orders" note="a \\"b\\" c" empty= ')).toEqual([
      { key: 'service.name', value: 'order' },
      { key: 'name', value: 'POST /orders' },
      { key: 'note', value: 'a "b" c' },
      { key: 'empty', value: '' },
    ])
    expect(parseLogfmt('')).toEqual([])
  })

  it.each([
    ['service.name', /`service.name` has no value/],
    ['=order', /has no key/],
    ['name="POST', /does not close/],
    ['a="b"c=d', /runs into character/],
    ['a=b"c', /has a quote inside it/],
  ])('refuses `%s`', (text, message) => expect(() => parseLogfmt(text)).toThrow(message))
})

describe('configuration', () => {
  it('fills every default', () => {
    expect(resolveConfig()).toMatchObject({
      host: '127.0.0.1',
      otlpPort: 4318,
      apiPort: 3200,
      maxBytes: 64 * 1024 * 1024,
      maxBodyBytes: 4 * 1024 * 1024,
      decisionWaitMs: 5000,
      sampleShare: 0.1,
      keepEvents: ['chaos.injected'],
    })
  })

  it('names every bad option at once, with its variable, and the option likely meant', () => {
    let error: TraceStoreConfigError | undefined
    try {
      resolveConfig({ maxBytes: 10, sampleShare: 2, decisionWait: 1 } as never)
    } catch (thrown) {
      error = thrown as TraceStoreConfigError
    }
    expect(error?.problems).toEqual([
      expect.stringMatching(/^`decisionWait` is not a trace store option: .* did you mean `decisionWaitMs`\?$/),
      expect.stringMatching(
        /^maxBytes \(TRACE_STORE_MAX_BYTES\): Expected integer to be greater or equal to 65536 \(got 10\)$/,
      ),
      expect.stringMatching(
        /^sampleShare \(TRACE_STORE_SAMPLE_SHARE\): Expected number to be less or equal to 1 \(got 2\)$/,
      ),
    ])
  })

  it('reads TRACE_STORE_* variables, and names an unknown one', () => {
    expect(envName('decisionWaitMs')).toBe('TRACE_STORE_DECISION_WAIT_MS')
    expect(
      optionsFromEnv({
        TRACE_STORE_API_PORT: '3300',
        TRACE_STORE_SAMPLE_SHARE: '0.25',
        TRACE_STORE_KEEP_EVENTS: 'chaos.injected, exception',
        TRACE_STORE_HOST: '0.0.0.0',
        PATH: '/bin',
      }),
    ).toEqual({ apiPort: 3300, sampleShare: 0.25, keepEvents: ['chaos.injected', 'exception'], host: '0.0.0.0' })
    expect(() => optionsFromEnv({ TRACE_STORE_MAX_BYTE: '1' })).toThrow(/did you mean `TRACE_STORE_MAX_BYTES`/)
    expect(() => resolveConfig(optionsFromEnv({ TRACE_STORE_MAX_BYTES: 'lots' }))).toThrow(
      /maxBytes \(TRACE_STORE_MAX_BYTES\): Expected integer/,
    )
  })
})

describe("a route's recent p99", () => {
  const options = { latencyWindowMs: 10_000, latencySlots: 10, latencyMinSamples: 50, latencyMaxRoutes: 2 }

  it('is known once the route has enough durations, exact to 2%, and slides with the window', () => {
    let now = 0
    const latencies = new RouteLatencies(options, () => now)
    for (let i = 1; i <= 49; i++) expect(latencies.judge('r', i * 1e6).slow).toBe(false)
    expect(latencies.p99('r')).toBeUndefined()
    latencies.judge('r', 50e6)
    // 50 durations of 1…50 ms: the p99 is the 50th, 50 ms, within its bucket's 2%.
    const p99 = latencies.p99('r') as number
    expect(p99).toBeGreaterThanOrEqual(50e6)
    expect(p99).toBeLessThan(51e6)
    expect(latencies.judge('r', 49e6).slow).toBe(false)
    expect(latencies.judge('r', 52e6)).toMatchObject({ slow: true })
    // 11 seconds later the window holds none of them.
    now = 11_000
    expect(latencies.judge('r', 500e6).slow).toBe(false)
    expect(latencies.p99('r')).toBeUndefined()
  })

  it('follows at most latencyMaxRoutes routes, forgetting the least recently seen', () => {
    const latencies = new RouteLatencies(options, () => 0)
    for (const route of ['a', 'b', 'a', 'c']) latencies.judge(route, 1e6)
    expect(latencies.size).toBe(2)
    for (let i = 0; i < 60; i++) latencies.judge('a', 1e6)
    expect(latencies.p99('a')).toBeDefined()
    expect(latencies.p99('b')).toBeUndefined()
  })
})
