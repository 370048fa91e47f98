/**
 * The OTLP/HTTP receiver against the real OpenTelemetry SDK's exporters (protobuf and JSON, gzip
 * or not), read back through the Tempo API; and every bad body a collector refuses refused alike
 * (400, 413, 415, partialSuccess), counted in /metrics, the receiver serving on after each.
 */
import { request as httpRequest } from 'node:http'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus } from '../src/otlp/proto.ts'
import type { RunningTraceStore } from '../src/start.ts'
import {
  decided,
  type Encoding,
  getJson,
  type Json,
  json,
  metric,
  order,
  serviceTracer,
  spansOf,
  startTestStore,
} from './helpers.ts'

let running: RunningTraceStore
beforeAll(async () => {
  running = await startTestStore({ sampleShare: 1, maxBodyBytes: 64 * 1024 })
})
afterAll(() => running.close())

const post = (body: Buffer | string, headers: Record<string, string>) =>
  fetch(`${running.otlpUrl}/v1/traces`, { method: 'POST', body, headers })

/** Posts `body` in chunks with no Content-Length; the status of the answer. */
function postChunked(body: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${running.otlpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    })
    request.on('response', (response) => {
      response.resume()
      resolve(response.statusCode)
    })
    request.on('error', reject)
    for (let at = 0; at < body.length; at += 8192) request.write(body.slice(at, at + 8192))
    request.end()
  })
}

const hex = (bytes: number, fill: string) => fill.repeat(bytes * 2)
const jsonSpan = (traceId: string, spanId: string, name = 'GET /x') => ({
  traceId,
  spanId,
  name,
  kind: 2,
  startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000000050000000',
  attributes: [{ key: 'http.route', value: { stringValue: '/x' } }],
})
const jsonRequest = (...spans: object[]) => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] },
      scopeSpans: [{ scope: { name: 'raw' }, spans }],
    },
  ],
})

describe('spans exported by the OpenTelemetry SDK', () => {
  it.each<Encoding>(['protobuf', 'json', 'protobuf+gzip', 'json+gzip'])(
    'are stored from %s, as sent',
    async (encoding) => {
      const orders = serviceTracer(running.otlpUrl, 'order', encoding)
      const restaurant = serviceTracer(running.otlpUrl, 'restaurant', encoding)
      const traceId = order(orders, restaurant, { ms: 40, chaos: true })
      await Promise.all([orders.flush(), restaurant.flush()])

      const { status, body, headers } = await getJson(`${running.apiUrl}/api/traces/${traceId}`)
      expect(status).toBe(200)
      expect(['pending', 'kept']).toContain(headers.get('x-trace-store-state'))
      const batches: Json[] = body.batches
      const services = batches.map(
        (batch) =>
          batch.resource.attributes.find((attribute: { key: string }) => attribute.key === 'service.name').value
            .stringValue,
      )
      expect(services.sort()).toEqual(['order', 'restaurant'])
      const spans = spansOf(batches)
      expect(spans).toHaveLength(3)
      expect(batches[0]?.scopeSpans[0]?.scope).toMatchObject({ name: 'trace-store-test', version: '1.0.0' })
      for (const span of spans) expect(span.traceId).toBe(traceId)
      const root = spans.find((span) => span.parentSpanId === undefined)
      const step = spans.find((span) => span.name === 'order.reserve_stock')
      const served = spans.find((span) => span.name === 'PUT /inventory/:menuId')
      expect(root).toMatchObject({ name: 'POST /orders', kind: 2, status: { code: 0 } })
      expect(root.attributes).toContainEqual({ key: 'http.route', value: { stringValue: '/orders' } })
      expect(root.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: '201' } })
      expect(step.parentSpanId).toBe(root.spanId)
      expect(served.parentSpanId).toBe(step.spanId)
      expect(served.events).toEqual([
        {
          name: 'chaos.injected',
          timeUnixNano: expect.stringMatching(/^\d{19}$/),
          attributes: [
            { key: 'chaos.fault', value: { stringValue: 'latency' } },
            { key: 'chaos.value', value: { intValue: '200' } },
          ],
        },
      ])
      // 40 ms root: nanosecond times kept exactly.
      expect(BigInt(root.endTimeUnixNano) - BigInt(root.startTimeUnixNano)).toBe(40_000_000n)
      await Promise.all([orders.shutdown(), restaurant.shutdown()])
    },
  )

  it('answers a protobuf export with a protobuf ExportTraceServiceResponse', async () => {
    const request = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          scopeSpans: [{ spans: [{ ...jsonSpan('', ''), traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 7) }] }],
        },
      ],
    })
    const response = await post(Buffer.from(ExportTraceServiceRequest.encode(request).finish()), {
      'content-type': 'application/x-protobuf',
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-protobuf')
    const decoded = ExportTraceServiceResponse.toObject(
      ExportTraceServiceResponse.decode(Buffer.from(await response.arrayBuffer())),
    )
    expect(decoded).toEqual({})
    expect((await getJson(`${running.apiUrl}/api/traces/${'07'.repeat(16)}`)).status).toBe(200)
  })
})

describe('bad export requests', () => {
  it('keeps the good spans and names the bad ones in partialSuccess (JSON and protobuf)', async () => {
    const before = await metric(running, 'trace_store_spans_refused_total{reason="invalid_span_id"}')
    const good = jsonSpan(hex(16, 'a'), hex(8, 'b'))
    const response = await post(
      JSON.stringify(jsonRequest(good, jsonSpan(hex(16, 'a'), 'xyz'), jsonSpan(hex(16, 'a'), hex(8, '0')))),
      { 'content-type': 'application/json' },
    )
    expect(response.status).toBe(200)
    expect(await json(response)).toEqual({
      partialSuccess: { rejectedSpans: '2', errorMessage: expect.stringMatching(/spans\[1\]\.spanId is not 8 bytes/) },
    })
    expect(await metric(running, 'trace_store_spans_refused_total{reason="invalid_span_id"}')).toBe(before + 2)
    const { body } = await getJson(`${running.apiUrl}/api/traces/${hex(16, 'a')}`)
    expect(body.batches[0].scopeSpans[0].spans.map((span: { spanId: string }) => span.spanId)).toEqual([hex(8, 'b')])

    const request = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { name: 'no ids' },
                { name: 'short id', traceId: Buffer.alloc(3, 1), spanId: Buffer.alloc(8, 1) },
              ],
            },
          ],
        },
      ],
    })
    const protobuf = await post(Buffer.from(ExportTraceServiceRequest.encode(request).finish()), {
      'content-type': 'application/x-protobuf',
    })
    expect(protobuf.status).toBe(200)
    const decoded = ExportTraceServiceResponse.toObject(
      ExportTraceServiceResponse.decode(Buffer.from(await protobuf.arrayBuffer())),
      {
        longs: String,
      },
    )
    expect(decoded.partialSuccess).toEqual({
      rejectedSpans: '2',
      errorMessage: expect.stringContaining('traceId is not 16 bytes'),
    })
  })

  it.each([
    ['not JSON', '{"resourceSpans": [', /The body is not JSON/],
    ['JSON of another shape', '{"resourceSpans": {"spans": 1}}', /resourceSpans must be an array/],
    [
      'a span name that is no string',
      JSON.stringify(jsonRequest({ ...jsonSpan(hex(16, 'c'), hex(8, 'c')), name: 5 })),
      /spans\[0\]\.name must be a string/,
    ],
    [
      'a time that is no integer',
      JSON.stringify(jsonRequest({ ...jsonSpan(hex(16, 'c'), hex(8, 'c')), startTimeUnixNano: 'soon' })),
      /startTimeUnixNano must be a non-negative 64-bit integer/,
    ],
    ['an empty body', '', /The body is not JSON/],
  ])('answers %s with 400 in the fleet error shape', async (_what, body, message) => {
    const before = await metric(running, 'trace_store_requests_refused_total{reason="malformed"}')
    const response = await post(body, { 'content-type': 'application/json' })
    expect(response.status).toBe(400)
    expect(await json(response)).toEqual({
      error: { code: 'MALFORMED_BODY', message: expect.stringMatching(message) },
      detail: expect.any(String),
    })
    expect(await metric(running, 'trace_store_requests_refused_total{reason="malformed"}')).toBe(before + 1)
  })

  it('answers a protobuf body that is none with 400 and a google.rpc.Status, as OTLP/HTTP says', async () => {
    const response = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), {
      'content-type': 'application/x-protobuf',
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/x-protobuf')
    const status = RpcStatus.toObject(RpcStatus.decode(Buffer.from(await response.arrayBuffer())))
    expect(status).toEqual({
      code: 3,
      message: expect.stringMatching(/^The body is not a protobuf ExportTraceServiceRequest/),
    })
  })

  it('answers a corrupt gzip body with 400', async () => {
    const response = await post(Buffer.from('definitely not gzip'), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    })
    expect(response.status).toBe(400)
    expect((await json(response)).error.message).toMatch(/not valid gzip/)
  })

  it('survives attribute values nested far beyond reason', async () => {
    const levels = 2000
    const value = `${'{"arrayValue":{"values":['.repeat(levels)}{"stringValue":"deep"}${']}}'.repeat(levels)}`
    const deep = JSON.stringify({
      ...jsonSpan(hex(16, 'd'), hex(8, 'd')),
      attributes: [{ key: 'deep', value: 0 }],
    }).replace('"value":0', `"value":${value}`)
    const body = JSON.stringify(jsonRequest(jsonSpan(hex(16, 'd'), hex(8, 'e')))).replace(
      '"spans":[',
      `"spans":[${deep},`,
    )
    const response = await post(body, { 'content-type': 'application/json' })
    expect(response.status).toBe(200)
    expect((await json(response)).partialSuccess).toEqual({
      rejectedSpans: '1',
      errorMessage: expect.stringMatching(/nests more than 16 levels/),
    })
  })

  it('answers a body past maxBodyBytes with 413, declared or found out while reading or decompressing', async () => {
    const before = await metric(running, 'trace_store_requests_refused_total{reason="too_large"}')
    const large = JSON.stringify(
      jsonRequest(...Array.from({ length: 600 }, (_, i) => jsonSpan(hex(16, 'e'), i.toString(16).padStart(16, '1')))),
    )
    expect(large.length).toBeGreaterThan(64 * 1024)
    const declared = await post(large, { 'content-type': 'application/json' })
    expect(declared.status).toBe(413)
    expect(await json(declared)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } })
    // Streamed without a length (chunked): counted as it comes, and still answered.
    expect(await postChunked(large)).toBe(413)
    // A small gzip that inflates past the bound: a bomb, refused alike.
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, ' '))
    expect(bomb.length).toBeLessThan(64 * 1024)
    const inflated = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    expect(inflated.status).toBe(413)
    expect(await metric(running, 'trace_store_requests_refused_total{reason="too_large"}')).toBe(before + 3)
  })

  it('answers another content type or encoding with 415', async () => {
    const before = await metric(running, 'trace_store_requests_refused_total{reason="unsupported_media_type"}')
    const text = await post('{}', { 'content-type': 'text/plain' })
    expect(text.status).toBe(415)
    expect((await json(text)).error).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type `text/plain` is not an OTLP encoding: send application/x-protobuf or application/json',
    })
    const none = await fetch(`${running.otlpUrl}/v1/traces`, { method: 'POST', body: new Uint8Array([1, 2]) })
    expect(none.status).toBe(415)
    expect(await metric(running, 'trace_store_requests_refused_total{reason="unsupported_media_type"}')).toBe(
      before + 2,
    )
    const brotli = await post('{}', { 'content-type': 'application/json', 'content-encoding': 'br' })
    expect(brotli.status).toBe(415)
    expect((await json(brotli)).error.code).toBe('UNSUPPORTED_ENCODING')
    expect(await metric(running, 'trace_store_requests_refused_total{reason="unsupported_encoding"}')).toBe(1)
  })

  it('serves on after all of them, and counted what it took', async () => {
    const orders = serviceTracer(running.otlpUrl, 'order')
    const restaurant = serviceTracer(running.otlpUrl, 'restaurant')
    const received = await metric(running, 'trace_store_spans_received_total')
    const traceId = order(orders, restaurant, { ms: 5 })
    await Promise.all([orders.flush(), restaurant.flush()])
    await decided(running)
    expect((await getJson(`${running.apiUrl}/api/traces/${traceId}`)).status).toBe(200)
    expect(await metric(running, 'trace_store_spans_received_total')).toBe(received + 3)
    const unknown = await post('{}', { 'content-type': 'application/json' }).then(() =>
      fetch(`${running.otlpUrl}/v1/metrics`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      }),
    )
    expect(unknown.status).toBe(404)
  })
})
