/**
 * The memory bound: a store filled far beyond a small maxBytes stays within it, evicting its
 * oldest kept traces first (pending ones only when they alone fill it); and the bytes it counts
 * are the heap it really takes, measured with the garbage collector's help.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import type { RunningTraceStore } from '../src/start.ts'
import { decided, getJson, metric, order, type ServiceTracer, serviceTracer, startTestStore } from './helpers.ts'

const KiB = 1024

async function tracers(running: RunningTraceStore) {
  return [serviceTracer(running.otlpUrl, 'order'), serviceTracer(running.otlpUrl, 'restaurant', 'json')] as const
}
const flush = (...services: ServiceTracer[]) => Promise.all(services.map((service) => service.flush()))
const shutdown = (...services: ServiceTracer[]) => Promise.all(services.map((service) => service.shutdown()))

describe('the memory bound', () => {
  it('holds a store filled with 300 traces within 256 KiB, the oldest kept traces evicted first', async () => {
    const maxBytes = 256 * KiB
    const running = await startTestStore({ sampleShare: 1, maxBytes })
    const [orders, restaurant] = await tracers(running)
    const sent: string[] = []
    for (let wave = 0; wave < 10; wave++) {
      for (let i = 0; i < 30; i++) sent.push(order(orders, restaurant, { ms: 5 + i, chaos: i % 5 === 0 }))
      await flush(orders, restaurant)
      await decided(running)
      expect(running.store.bytes).toBeLessThanOrEqual(maxBytes)
      expect(await metric(running, 'trace_store_bytes')).toBeLessThanOrEqual(maxBytes)
    }
    const kept = [...running.store.keptTraces()].map((trace) => trace.traceId)
    // Some 3 KiB a trace: the store fills its room, and what it keeps is the newest, in order.
    expect(kept.length).toBeGreaterThan(40)
    expect(kept.length).toBeLessThan(120)
    expect(running.store.bytes).toBeGreaterThan(maxBytes * 0.9)
    expect(kept).toEqual(sent.slice(-kept.length))
    expect(await metric(running, 'trace_store_evicted_total{state="kept"}')).toBe(sent.length - kept.length)
    expect(await metric(running, 'trace_store_traces{state="kept"}')).toBe(kept.length)
    const oldest = await getJson(`${running.apiUrl}/api/traces/${sent[0]}`)
    expect(oldest.status).toBe(404)
    expect(oldest.body.error.code).toBe('TRACE_NOT_FOUND')
    expect((await getJson(`${running.apiUrl}/api/traces/${sent.at(-1)}`)).status).toBe(200)
    await shutdown(orders, restaurant)
    await running.close()
  })

  it('evicts pending traces when they alone fill the bound', async () => {
    const maxBytes = 64 * KiB
    const running = await startTestStore({ sampleShare: 1, maxBytes, decisionWaitMs: 60_000 })
    const [orders, restaurant] = await tracers(running)
    const sent = Array.from({ length: 60 }, () => order(orders, restaurant, { ms: 5 }))
    await flush(orders, restaurant)
    await sleep(20)
    expect(running.store.bytes).toBeLessThanOrEqual(maxBytes)
    expect(running.store.keptCount).toBe(0)
    expect(running.store.pendingCount).toBeLessThan(60)
    // (A trace's two services export apart: its first spans evicted, its last ones may start it again.)
    expect(await metric(running, 'trace_store_evicted_total{state="pending"}')).toBeGreaterThanOrEqual(
      60 - running.store.pendingCount,
    )
    // The traces that waited longest since their last span went first.
    expect((await getJson(`${running.apiUrl}/api/traces/${sent.at(-1)}`)).status).toBe(200)
    await shutdown(orders, restaurant)
    await running.close()
  })

  it('counts what the heap really holds: the estimate within 15% of the measured growth', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const settledHeap = async () => {
      for (let i = 0; i < 4; i++) {
        gc()
        await sleep(20)
      }
      return process.memoryUsage().heapUsed
    }
    const running = await startTestStore({ sampleShare: 1 })
    const [orders, restaurant] = await tracers(running)
    // Warmed up first: the code, the connections and the SDK's buffers are no part of the store.
    for (let i = 0; i < 200; i++) order(orders, restaurant, { ms: 10, chaos: i % 2 === 0 })
    await flush(orders, restaurant)
    await decided(running)
    const heapBefore = await settledHeap()
    const bytesBefore = running.store.bytes
    for (let wave = 0; wave < 16; wave++) {
      for (let i = 0; i < 500; i++) order(orders, restaurant, { ms: 10 + i, chaos: i % 3 === 0, error: i % 7 === 0 })
      await flush(orders, restaurant)
    }
    await decided(running)
    const measured = (await settledHeap()) - heapBefore
    const estimated = running.store.bytes - bytesBefore
    expect(running.store.keptCount).toBe(8200)
    expect(measured).toBeGreaterThan(15 * 1024 * KiB)
    expect(estimated / measured).toBeGreaterThan(0.85)
    expect(estimated / measured).toBeLessThan(1.15)
    await shutdown(orders, restaurant)
    await running.close()
  })
})
