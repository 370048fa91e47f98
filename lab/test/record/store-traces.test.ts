/**
 * A record's traces with no flag: the services trace into the fleet's trace store (as under npm
 * start, OTLP/HTTP protobuf), and `npm run experiment` writes the traces it kept for the run's time
 * into traces.jsonl. Only the ones a tail sampler keeps when it keeps no share of the rest: the orders
 * the payment fault struck (`chaos.injected`), each a trace across the services.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runCli } from '@food/testing/run-cli'
import { type RunningTraceStore, startTraceStore } from '@food/trace-store'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { experimentEnv } from '../experiment-env.ts'
import { paymentsFailFile, startTracedFleet, stopTraced, type TracedFleet } from './traced-fleet.ts'

const fleet: TracedFleet = { services: {}, databases: [] }
let store: RunningTraceStore
let recordDir: string
let run: { code: number | null; output: string }

beforeAll(async () => {
  store = await startTraceStore({ otlpPort: 0, apiPort: 0, sampleShare: 0, decisionWaitMs: 1000 })
  const services = await startTracedFleet(store.otlpUrl, fleet)
  const { dir, file } = await paymentsFailFile('Every payment fails for 3 s, traced into the store')
  recordDir = join(dir, 'record')
  run = await runCli(
    'lab/src/experiment/cli.ts',
    [file, '--out', recordDir, '--hypothesis-frequency', '1'],
    experimentEnv(services, { traceStore: store.apiUrl }),
  )
}, 120_000)
afterAll(async () => {
  await stopTraced(fleet)
  await store?.close()
})

interface Line {
  traceID: string
  keptBecause: string
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] }
    scopeSpans: { spans: { name: string; events?: { name: string }[] }[] }[]
  }[]
}

it('holds the traces the store kept for the run: the struck orders, across the services, why each was kept', async () => {
  expect(run.code, run.output).toBe(0)
  const lines = (await readFile(join(recordDir, 'traces.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line)
  expect(lines.length).toBeGreaterThan(0)
  // No share of the healthy ones: each kept for an error or the fault's event.
  expect(new Set(lines.map((line) => line.keptBecause))).toEqual(new Set(['event']))
  const struck = lines.filter((line) =>
    line.resourceSpans.some((resource) =>
      resource.scopeSpans.some((scope) =>
        scope.spans.some((span) => span.events?.some((event) => event.name === 'chaos.injected')),
      ),
    ),
  )
  expect(struck.length).toBe(lines.length)
  const servicesOf = (line: Line) =>
    new Set(
      line.resourceSpans.map(
        (resource) =>
          resource.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue,
      ),
    )
  expect(
    struck.some((line) => servicesOf(line).has('order-service') && servicesOf(line).has('restaurant-service')),
  ).toBe(true)
  const readme = await readFile(join(recordDir, 'README.md'), 'utf8')
  expect(readme).toContain(`traces.jsonl: ${lines.length} traces (`)
  expect(readme).toContain(`that the trace store at ${store.apiUrl} kept for the run’s time`)
})
