/**
 * A record's traces: the three services as processes of their own, exporting their spans with
 * OpenTelemetry's SDK (OTLP/HTTP JSON) to where `npm run experiment -- --traces` listens; the
 * record's traces.jsonl holds the run's spans of all three, a trace crossing them, and the span
 * event the payment fault marks each order it strikes with (`chaos.injected`), inside the
 * fault's window of injection.json.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort } from '@food/testing'
import { runCli } from '@food/testing/run-cli'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InjectionFile } from '../../src/record/injection.ts'
import { keptSpans, traceKept } from '../../src/record/trace-receiver.ts'
import { experimentEnv } from '../experiment-env.ts'
import { paymentsFailFile, startTracedFleet, stopTraced, type TracedFleet } from './traced-fleet.ts'

const fleet: TracedFleet = { services: {}, databases: [] }
let tracesAt: string
let recordDir: string
let run: { code: number | null; output: string }

beforeAll(async () => {
  tracesAt = `127.0.0.1:${await freePort()}`
  const services = await startTracedFleet(`http://${tracesAt}`, fleet, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })

  const { dir, file } = await paymentsFailFile('Every payment fails for 3 s, traced')
  recordDir = join(dir, 'recordDir')
  run = await runCli(
    'lab/src/experiment/cli.ts',
    [file, '--out', recordDir, '--traces', tracesAt, '--hypothesis-frequency', '1'],
    experimentEnv(services),
  )
}, 120_000)

afterAll(() => stopTraced(fleet))

interface Span {
  traceId: string
  name: string
  startTimeUnixNano: string
  events?: { name: string; attributes?: { key: string; value: { stringValue?: string } }[] }[]
}

describe('a record’s traces', () => {
  it('holds the run’s spans of the three services, in OTLP JSON, a trace crossing them', async () => {
    expect(run.code, run.output).toBe(0)
    const lines = (await readFile(join(recordDir, 'traces.jsonl'), 'utf8')).trim().split('\n')
    const exports = lines.map((line) => JSON.parse(line))
    const spans = exports.flatMap((document) =>
      document.resourceSpans.flatMap(
        (resource: {
          resource: { attributes: { key: string; value: { stringValue: string } }[] }
          scopeSpans: { spans: Span[] }[]
        }) => {
          const service = resource.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value
            .stringValue
          return resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => ({ service, ...span })))
        },
      ),
    )
    expect(new Set(spans.map((span) => span.service))).toEqual(
      new Set(['user-service', 'restaurant-service', 'order-service']),
    )
    const placed = spans.filter((span) => span.service === 'order-service' && span.name === 'POST /orders')
    expect(placed.length).toBeGreaterThan(0)
    const crossing = placed.find((span) =>
      ['user-service', 'restaurant-service'].every((service) =>
        spans.some((other) => other.service === service && other.traceId === span.traceId),
      ),
    )
    expect(crossing, 'a trace of POST /orders with spans of the user and restaurant services').toBeDefined()
    const readme = await readFile(join(recordDir, 'README.md'), 'utf8')
    expect(readme).toContain(`${spans.length} spans received on ${tracesAt}`)

    // The payment fault marked the orders it struck, within its window.
    const truth = JSON.parse(await readFile(join(recordDir, 'injection.json'), 'utf8')) as InjectionFile
    const from = BigInt(Date.parse(truth.injections[0]?.start ?? '')) * 1_000_000n
    const until = BigInt(Date.parse(truth.injections[0]?.end ?? '')) * 1_000_000n
    const struck = spans.filter((span) =>
      (span.events ?? []).some(
        (event: { name: string; attributes?: { key: string; value: { stringValue?: string } }[] }) =>
          event.name === 'chaos.injected' &&
          event.attributes?.some(
            (attribute: { value: { stringValue?: string } }) => attribute.value.stringValue === 'payment_fail',
          ),
      ),
    )
    expect(struck.length).toBeGreaterThan(0)
    for (const span of struck) {
      // Begun at most one order before the fault came (a request in flight), never after it went.
      expect(BigInt(span.startTimeUnixNano)).toBeLessThanOrEqual(until)
      expect(BigInt(span.startTimeUnixNano)).toBeGreaterThan(from - 2_000_000_000n)
    }
  })
})

describe('the receiver’s choice of spans', () => {
  const span = (traceId: string, startMs: number) => ({
    traceId,
    startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
  })
  const document = {
    resourceSpans: [
      { scopeSpans: [{ spans: [span('00000000aa', 2000), span('ffffffffbb', 2000), span('00000000cc', 500)] }] },
    ],
  }

  it('keeps the spans begun in the run, of the share of traces sampled by trace id', () => {
    expect(keptSpans(document, 1000, 1).spans).toBe(2)
    const half = keptSpans(document, 1000, 0.5)
    expect(half.spans).toBe(1)
    expect(half.document.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.traceId).toBe('00000000aa')
    expect(keptSpans(document, 3000, 1)).toEqual({ document: { resourceSpans: [] }, spans: 0 })
    expect(traceKept('7fffffff00', 0.5)).toBe(true)
    expect(traceKept('8000000000', 0.5)).toBe(false)
  })
})
