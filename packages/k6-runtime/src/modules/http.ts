/**
 * `k6/http`: requests that block their VU until answered, as in k6. The request itself is made by
 * a helper thread (http-helper.mjs) while this VU's thread waits.
 * See docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads'
import { durationMs } from '../duration.ts'
import { formEncode } from '../form.ts'
import { record } from '../vu-state.ts'

export interface Params {
  headers?: Record<string, string>
  tags?: Record<string, string>
  timeout?: string | number
}

type Body = string | Record<string, unknown> | null | undefined

interface Reply {
  status: number
  headers: [string, string][]
  body: string
  durationMs: number
  error?: string
  errorCode?: number
}

const channel = new MessageChannel()
const signal = new Int32Array(new SharedArrayBuffer(4))
const helper = new Worker(new URL('../http-helper.mjs', import.meta.url), {
  workerData: { port: channel.port2, signal: signal.buffer },
  transferList: [channel.port2],
})
helper.unref()
channel.port1.unref()

/** `content-type` → `Content-Type`, as Go's net/http gives header names to k6 scripts. */
const canonical = (name: string) =>
  name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase())

/** The value at a GJSON-like path (`orders`, `items.0.menu_id`), as `response.json(path)` reads. */
function select(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((current, key) => (current as Record<string, unknown> | undefined)?.[key], value)
}

export class Response {
  readonly status: number
  readonly body: string
  readonly headers: Record<string, string>
  readonly url: string
  readonly error: string
  readonly error_code: number
  readonly timings: { duration: number }
  readonly request: { method: string; url: string; body: string | undefined; headers: Record<string, string> }

  constructor(request: Response['request'], reply: Reply) {
    this.status = reply.status
    this.body = reply.body
    this.url = request.url
    this.request = request
    this.error = reply.error ?? ''
    this.error_code = reply.errorCode ?? 0
    this.timings = { duration: reply.durationMs }
    this.headers = {}
    for (const [name, value] of reply.headers) {
      const key = canonical(name)
      this.headers[key] = this.headers[key] === undefined ? value : `${this.headers[key]}, ${value}`
    }
  }

  /** The body parsed as JSON, or the value at `selector` in it; throws on a body that is not JSON. */
  json(selector?: string): unknown {
    const parsed = JSON.parse(this.body)
    return selector === undefined ? parsed : select(parsed, selector)
  }
}

export function request(method: string, url: string, body?: Body, params: Params = {}): Response {
  const headers: Record<string, string> = { ...params.headers }
  let encoded: string | undefined
  if (typeof body === 'string') encoded = body
  else if (body !== null && body !== undefined) {
    encoded = formEncode(body)
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
    }
  }
  const timeoutMs = durationMs(params.timeout ?? '60s')
  const sent = { method, url, body: encoded, headers }
  Atomics.store(signal, 0, 0)
  channel.port1.postMessage({ ...sent, timeoutMs })
  Atomics.wait(signal, 0, 0, timeoutMs + 10_000)
  const reply = receiveMessageOnPort(channel.port1)?.message as Reply | undefined
  const response = new Response(
    sent,
    reply ?? { status: 0, headers: [], body: '', durationMs: timeoutMs, error: 'no answer', errorCode: 1050 },
  )
  const expected = response.status >= 200 && response.status < 400
  const tags = {
    name: url,
    method,
    url,
    status: String(response.status),
    expected_response: String(expected),
    ...params.tags,
  }
  record({ metric: 'http_reqs', type: 'counter', value: 1, tags })
  record({ metric: 'http_req_duration', type: 'trend', value: response.timings.duration, tags })
  record({ metric: 'http_req_failed', type: 'rate', value: expected ? 0 : 1, tags })
  return response
}

export const get = (url: string, params?: Params) => request('GET', url, null, params)
export const head = (url: string, params?: Params) => request('HEAD', url, null, params)
export const options = (url: string, body?: Body, params?: Params) => request('OPTIONS', url, body, params)
export const post = (url: string, body?: Body, params?: Params) => request('POST', url, body, params)
export const put = (url: string, body?: Body, params?: Params) => request('PUT', url, body, params)
export const patch = (url: string, body?: Body, params?: Params) => request('PATCH', url, body, params)
export const del = (url: string, body?: Body, params?: Params) => request('DELETE', url, body, params)

type BatchRequest =
  | [string, string, Body?, Params?]
  | { method: string; url: string; body?: Body; params?: Params }
  | string

/**
 * Several requests, answered in the order given (an array, or an object of named requests). k6
 * sends them in parallel; here they go one after the other: the answers are the same.
 */
export function batch(requests: BatchRequest[] | Record<string, BatchRequest>): Response[] | Record<string, Response> {
  const one = (entry: BatchRequest) =>
    typeof entry === 'string'
      ? get(entry)
      : Array.isArray(entry)
        ? request(entry[0], entry[1], entry[2], entry[3])
        : request(entry.method, entry.url, entry.body, entry.params)
  return Array.isArray(requests)
    ? requests.map(one)
    : Object.fromEntries(Object.entries(requests).map(([name, entry]) => [name, one(entry)]))
}

export default { request, get, head, options, post, put, patch, del, batch }
