/**
 * Tail sampling as an SRE configures it, on traces the real SDK exports: with no share of the
 * rest kept, a healthy trace is dropped after the decision wait, while a trace with an error, a
 * chaos.injected event, or a root slower than its route's recent p99 is kept; spans arriving
 * after the decision follow it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningTraceStore } from '../src/start.ts'
import { inShare } from '../src/store/sampling.ts'
import {
  decided,
  getJson,
  metric,
  order,
  type ServiceTracer,
  serviceTracer,
  spansOf,
  startTestStore,
} from './helpers.ts'

let running: RunningTraceStore
let orders: ServiceTracer
let restaurant: ServiceTracer
beforeAll(async () => {
  running = await startTestStore({ sampleShare: 0, decisionWaitMs: 1000, latencyMinSamples: 50 })
  orders = serviceTracer(running.otlpUrl, 'order')
  restaurant = serviceTracer(running.otlpUrl, 'restaurant', 'json')
})
afterAll(async () => {
  await Promise.all([orders.shutdown(), restaurant.shutdown()])
  await running.close()
})

const send = async (...shapes: Parameters<typeof order>[2][]) => {
  const ids = shapes.map((shape) => order(orders, restaurant, shape))
  await Promise.all([orders.flush(), restaurant.flush()])
  return ids
}
const byId = (traceId: string) => getJson(`${running.apiUrl}/api/traces/${traceId}`)

describe('tail sampling with sampleShare 0', () => {
  it('holds a trace until decisionWaitMs after its last span, then drops a healthy one', async () => {
    // A wait of its own, long enough to look at the trace before its decision on a busy machine.
    const slow = await startTestStore({ sampleShare: 0, decisionWaitMs: 2000 })
    const o = serviceTracer(slow.otlpUrl, 'order')
    const r = serviceTracer(slow.otlpUrl, 'restaurant')
    const healthy = order(o, r, { ms: 20 })
    await Promise.all([o.flush(), r.flush()])
    const pending = await getJson(`${slow.apiUrl}/api/traces/${healthy}`)
    expect(pending.status).toBe(200)
    expect(pending.headers.get('x-trace-store-state')).toBe('pending')
    expect(await metric(slow, 'trace_store_traces{state="pending"}')).toBe(1)
    await decided(slow)
    const gone = await getJson(`${slow.apiUrl}/api/traces/${healthy}`)
    expect(gone.status).toBe(404)
    expect(gone.body.error.code).toBe('TRACE_NOT_KEPT')
    expect(gone.body.error.message).toMatch(/dropped by tail sampling at .*outside the kept share \(0\)/)
    expect(await metric(slow, 'trace_store_decisions_total{decision="dropped",reason="none"}')).toBe(1)
    await Promise.all([o.shutdown(), r.shutdown()])
    await slow.close()
  })

  it('keeps a trace with an error status, and one a fault struck (chaos.injected)', async () => {
    const [failed, struck] = await send({ ms: 20, error: true }, { ms: 20, chaos: true })
    await decided(running)
    const kept = await byId(failed as string)
    expect(kept.status).toBe(200)
    expect(kept.headers.get('x-trace-store-state')).toBe('kept')
    expect((await byId(struck as string)).status).toBe(200)
    expect(await metric(running, 'trace_store_decisions_total{decision="kept",reason="error"}')).toBe(1)
    expect(await metric(running, 'trace_store_decisions_total{decision="kept",reason="event"}')).toBe(1)
    const [line] = (await (await fetch(`${running.apiUrl}/api/lab/traces`)).text())
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text))
    expect(line).toMatchObject({
      traceID: failed,
      keptBecause: 'error',
      keptDetail: 'span order.reserve_stock has an error status',
    })
  })

  it("keeps a trace whose root is slower than its route's recent p99, once the route has enough history", async () => {
    const route = '/orders/{id}/cancel'
    // Too little history: the route has no p99 yet, so even a slow root is dropped.
    const [early] = await send({ ms: 900, route })
    await decided(running)
    expect((await byId(early as string)).status).toBe(404)
    // 150 roots between 10 and 30 ms (and that one slow root, under the 1% above the p99): the
    // route's p99 is about 30 ms.
    await send(...Array.from({ length: 150 }, (_, i) => ({ ms: 10 + (i % 21), route })))
    await decided(running)
    const p99 = running.store.latencies.p99(`order ${route}`) as number
    expect(p99 / 1e6).toBeGreaterThan(29)
    expect(p99 / 1e6).toBeLessThan(32)
    const [usual, slow] = await send({ ms: 25, route }, { ms: 400, route })
    await decided(running)
    expect((await byId(usual as string)).status).toBe(404)
    expect((await byId(slow as string)).status).toBe(200)
    expect(await metric(running, 'trace_store_decisions_total{decision="kept",reason="slow"}')).toBe(1)
    // Another route's history says nothing of this one.
    const [elsewhere] = await send({ ms: 400, route: '/menus' })
    await decided(running)
    expect((await byId(elsewhere as string)).status).toBe(404)
  })

  it('adds late spans to a kept trace, and drops those of a dropped one (counted)', async () => {
    const [kept, dropped] = await send({ ms: 10, error: true }, { ms: 10 })
    await decided(running)
    // A span of the trace (under a parent it never sent), arriving after its decision.
    const late = (traceId: string) =>
      restaurant.tracer
        .startSpan(
          'late.span',
          {},
          trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: 'a'.repeat(16), traceFlags: TraceFlags.SAMPLED }),
        )
        .end()
    late(kept as string)
    late(dropped as string)
    await restaurant.flush()
    await sleep(50)
    const { body } = await byId(kept as string)
    const names = spansOf(body.batches).map((span) => span.name)
    expect(names).toContain('late.span')
    expect((await byId(dropped as string)).status).toBe(404)
    expect(await metric(running, 'trace_store_late_spans_total{decision="kept"}')).toBe(1)
    expect(await metric(running, 'trace_store_late_spans_total{decision="dropped"}')).toBe(1)
  })
})

describe('the share of the rest', () => {
  it('is chosen by trace id: the same trace always, the share asked for over many', () => {
    const ids = Array.from({ length: 20_000 }, () => crypto.randomUUID().replaceAll('-', ''))
    const kept = ids.filter((id) => inShare(id, 0.1)).length / ids.length
    expect(kept).toBeGreaterThan(0.09)
    expect(kept).toBeLessThan(0.11)
    for (const id of ids.slice(0, 100)) expect(inShare(id, 0.1)).toBe(inShare(id, 0.1))
    expect(ids.every((id) => inShare(id, 1))).toBe(true)
    expect(ids.some((id) => inShare(id, 0))).toBe(false)
  })

  it('keeps every healthy trace at share 1', async () => {
    const store = await startTestStore({ sampleShare: 1 })
    const o = serviceTracer(store.otlpUrl, 'order')
    const r = serviceTracer(store.otlpUrl, 'restaurant')
    const ids = Array.from({ length: 5 }, () => order(o, r, { ms: 5 }))
    await Promise.all([o.flush(), r.flush()])
    await decided(store)
    for (const id of ids) expect((await getJson(`${store.apiUrl}/api/traces/${id}`)).status).toBe(200)
    expect(await metric(store, 'trace_store_decisions_total{decision="kept",reason="share"}')).toBe(5)
    await Promise.all([o.shutdown(), r.shutdown()])
    await store.close()
  })
})
