/**
 * The fault proxy through Toxiproxy's own npm client (toxiproxy-node-client) as a real peer, in
 * front of a real TCP server: each toxic acting as Toxiproxy's does, on connections already open
 * too, and every mistake answered 4xx naming what was wrong.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { browserRequest as requestAsBrowser } from '@food/testing/browser-request'
import type { FastifyInstance } from 'fastify'
import { Toxiproxy } from 'toxiproxy-node-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildToxiproxyApi, type FaultProxy } from '../src/index.ts'

let upstream: Server
let upstreamPort: number
let api: FastifyInstance
let apiUrl: string
let toxiproxy: Toxiproxy
const proxies = new Map<string, FaultProxy>()
const changes: string[] = []

beforeAll(async () => {
  // Echoes what it gets; `close` makes it end the connection, `bytes N` sends N bytes.
  upstream = createServer((socket) => {
    socket.on('data', (data) => {
      const text = data.toString()
      if (text === 'close') socket.end()
      else if (text.startsWith('bytes ')) socket.write(Buffer.alloc(Number(text.slice(6)), 'x'))
      else socket.write(data)
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  upstreamPort = (upstream.address() as { port: number }).port
  api = buildToxiproxyApi({ proxies, onChange: (change) => changes.push(change) })
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' })
  toxiproxy = new Toxiproxy(apiUrl)
})
afterAll(async () => {
  await api.close()
  upstream.close()
})
afterEach(() => toxiproxy.reset())

const newProxy = async (name: string) =>
  toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` })

/** A client connection through the proxy, reading what comes back. */
async function client(listen: string) {
  const [host, port] = listen.split(':')
  const socket: Socket = connect({ host, port: Number(port) })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  let received = Buffer.alloc(0)
  socket.on('data', (data) => {
    received = Buffer.concat([received, data])
  })
  const ended = new Promise<{ error?: string }>((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }))
    socket.once('close', () => resolve({}))
  })
  /** Sends and waits for `expected` bytes back; the milliseconds it took. */
  const roundTrip = async (text: string, expected = text.length) => {
    const before = received.length
    const started = performance.now()
    socket.write(text)
    while (received.length < before + expected) await sleep(2)
    return performance.now() - started
  }
  return { socket, roundTrip, ended, received: () => received }
}

describe('the fault proxy, driven by toxiproxy-node-client', () => {
  it('passes data through untouched, and lists the proxy as Toxiproxy does', async () => {
    const proxy = await newProxy('plain')
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/)
    const link = await client(proxy.listen)
    await link.roundTrip('hello')
    expect(link.received().toString()).toBe('hello')
    const all = await toxiproxy.getAll()
    expect(all.plain?.toJson()).toEqual({
      name: 'plain',
      listen: proxy.listen,
      upstream: `127.0.0.1:${upstreamPort}`,
      enabled: true,
    })
    expect(await toxiproxy.getVersion()).toBe('2.9.0')
    link.socket.destroy()
  })

  it('latency (+ jitter) holds every chunk back, on a connection already open, until the toxic goes', async () => {
    const proxy = await newProxy('slow')
    const link = await client(proxy.listen)
    expect(await link.roundTrip('a')).toBeLessThan(150)
    const toxic = await proxy.addToxic({
      type: 'latency',
      name: 'latency_downstream',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 200, jitter: 20 },
    })
    expect(await link.roundTrip('b')).toBeGreaterThanOrEqual(175)
    await toxic.update({ attributes: { latency: 400 } } as never)
    expect(await link.roundTrip('c')).toBeGreaterThanOrEqual(375)
    await toxic.remove()
    expect(await link.roundTrip('d')).toBeLessThan(150)
    link.socket.destroy()
  })

  it('bandwidth limits the rate in KB/s', async () => {
    const proxy = await newProxy('narrow')
    await proxy.addToxic({
      type: 'bandwidth',
      name: 'narrow',
      stream: 'downstream',
      toxicity: 1,
      attributes: { rate: 100 },
    })
    const link = await client(proxy.listen)
    // 50 KB at 100 KB/s: at least half a second.
    expect(await link.roundTrip('bytes 51200', 51200)).toBeGreaterThanOrEqual(450)
    link.socket.destroy()
  })

  it('timeout lets nothing through and closes the connection after its time', async () => {
    const proxy = await newProxy('stalled')
    await proxy.addToxic({
      type: 'timeout',
      name: 'stall',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 300 },
    })
    const link = await client(proxy.listen)
    const started = performance.now()
    link.socket.write('lost')
    await link.ended
    expect(performance.now() - started).toBeGreaterThanOrEqual(280)
    expect(link.received().length).toBe(0)
  })

  it('reset_peer resets the connection (ECONNRESET), at once or after its timeout', async () => {
    const proxy = await newProxy('reset')
    const link = await client(proxy.listen)
    await link.roundTrip('before')
    await proxy.addToxic({
      type: 'reset_peer',
      name: 'rst',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 100 },
    })
    expect(await link.ended).toEqual({ error: 'ECONNRESET' })
  })

  it('limit_data closes the connection after so many bytes', async () => {
    const proxy = await newProxy('limited')
    await proxy.addToxic({
      type: 'limit_data',
      name: 'ten',
      stream: 'downstream',
      toxicity: 1,
      attributes: { bytes: 10 },
    })
    const link = await client(proxy.listen)
    link.socket.write('bytes 100')
    await link.ended
    expect(link.received().length).toBe(10)
  })

  it('slow_close holds the close back', async () => {
    const proxy = await newProxy('lingering')
    await proxy.addToxic({
      type: 'slow_close',
      name: 'linger',
      stream: 'downstream',
      toxicity: 1,
      attributes: { delay: 300 },
    })
    const link = await client(proxy.listen)
    const started = performance.now()
    link.socket.write('close')
    await link.ended
    expect(performance.now() - started).toBeGreaterThanOrEqual(280)
  })

  it('a disabled proxy drops its connections and refuses new ones, until enabled again', async () => {
    const proxy = await newProxy('down')
    const link = await client(proxy.listen)
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream, name: 'down' } as never)
    await link.ended
    await expect(client(proxy.listen)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    await toxiproxy.reset()
    const again = await client(proxy.listen)
    await again.roundTrip('up')
    again.socket.destroy()
  })

  it('toxicity is the chance a toxic strikes a connection: 0 never, 1 always', async () => {
    const proxy = await newProxy('chance')
    await proxy.addToxic({
      type: 'latency',
      name: 'never',
      stream: 'downstream',
      toxicity: 0,
      attributes: { latency: 500 },
    })
    const link = await client(proxy.listen)
    expect(await link.roundTrip('x')).toBeLessThan(300)
    link.socket.destroy()
  })

  it('reset removes every toxic and enables every proxy; populate creates or replaces a list', async () => {
    const proxy = await newProxy('resettable')
    await proxy.addToxic({
      type: 'latency',
      name: 'l',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 100 },
    })
    await toxiproxy.reset()
    expect((await toxiproxy.get('resettable')).toJson().enabled).toBe(true)
    expect(await (await fetch(`${apiUrl}/proxies/resettable/toxics`)).json()).toEqual([])
    const made = await toxiproxy.populate([
      { name: 'resettable', listen: proxy.listen, upstream: proxy.upstream, enabled: true },
      { name: 'populated', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}`, enabled: true },
    ] as never)
    expect(Object.keys(made).sort()).toEqual(['populated', 'resettable'])
    expect(changes.at(-1)).toBe('populated resettable, populated')
  })
})

describe('faults that undo themselves (ttl_s, this API’s addition to Toxiproxy’s)', () => {
  it('a toxic set with ttl_s is removed after it, an edge taken down with ttl_s comes back up', async () => {
    const proxy = await newProxy('ephemeral')
    const post = (path: string, body: unknown) =>
      fetch(`${apiUrl}/proxies/ephemeral${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const set = await post('/toxics', { type: 'latency', attributes: { latency: 100 }, ttl_s: 1 })
    expect(set.status).toBe(200)
    const expiresAt = ((await set.json()) as { expires_at: string }).expires_at
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(500)
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(1000)
    // When it ends shows wherever the toxic does, as the switches show theirs.
    const shown = { name: 'latency_downstream', expires_at: expiresAt, ttl_s: 1 }
    expect(await (await fetch(`${apiUrl}/proxies/ephemeral/toxics`)).json()).toEqual([expect.objectContaining(shown)])
    expect(await (await fetch(`${apiUrl}/proxies/ephemeral`)).json()).toMatchObject({ toxics: [shown] })
    expect(await (await fetch(`${apiUrl}/proxies`)).json()).toMatchObject({ ephemeral: { toxics: [shown] } })
    expect(await (await fetch(`${apiUrl}/proxies/ephemeral/toxics/latency_downstream`)).json()).toMatchObject(shown)
    // Changing its attributes keeps its TTL (a forgotten fault cannot linger).
    expect((await post('/toxics/latency_downstream', { attributes: { latency: 50 } })).status).toBe(200)
    expect(await (await fetch(`${apiUrl}/proxies/ephemeral/toxics/latency_downstream`)).json()).toMatchObject({
      attributes: { latency: 50 },
      expires_at: expiresAt,
    })
    expect((await post('', { enabled: false, ttl_s: 1 })).status).toBe(200)
    await expect(client(proxy.listen)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    // When it comes back up shows too.
    const downView = (await (await fetch(`${apiUrl}/proxies/ephemeral`)).json()) as Record<string, unknown>
    expect(downView).toMatchObject({ enabled: false, down_ttl_s: 1 })
    expect(Date.parse(String(downView.down_expires_at)) - Date.now()).toBeLessThanOrEqual(1000)
    await sleep(1300)
    expect(await (await fetch(`${apiUrl}/proxies/ephemeral`)).json()).toMatchObject({
      enabled: true,
      down_expires_at: null,
      down_ttl_s: null,
    })
    expect(await (await fetch(`${apiUrl}/proxies/ephemeral/toxics`)).json()).toEqual([])
    const back = await client(proxy.listen)
    await back.roundTrip('up again')
    back.socket.destroy()
  })

  it('shows a toxic set without ttl_s as lasting until removed', async () => {
    const proxy = await newProxy('lasting')
    await proxy.addToxic({ type: 'latency', name: 'stays', stream: 'downstream', toxicity: 1, attributes: {} } as never)
    expect(await (await fetch(`${apiUrl}/proxies/lasting/toxics/stays`)).json()).toMatchObject({
      expires_at: null,
      ttl_s: null,
    })
  })
})

/** A request to this test's API with the headers a browser page would send. */
const browserRequest = (method: string, path: string, headers: Record<string, string>) =>
  requestAsBrowser(new URL(path, apiUrl).href, method, headers)

describe('no web page drives the faults (DNS rebinding, cross-site changes)', () => {
  beforeAll(async () => {
    await newProxy('guarded')
  })

  it('refuses a rebound Host, reads too, in Toxiproxy’s error shape', async () => {
    for (const path of ['/proxies', '/version']) {
      expect(await browserRequest('GET', path, { host: 'rebind.evil.example:8474' })).toEqual({
        status: 403,
        body: { error: expect.stringContaining('Host "rebind.evil.example:8474" is not this lab’s'), status: 403 },
      })
    }
  })

  it('refuses a change from another site’s page, and the proxy is untouched', async () => {
    await fetch(`${apiUrl}/proxies/guarded/toxics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'latency', attributes: { latency: 10 } }),
    })
    const evil = { host: new URL(apiUrl).host, origin: 'http://evil.example' }
    const refused = await browserRequest('POST', '/proxies/guarded', { ...evil, 'content-type': 'application/json' })
    expect(refused).toEqual({
      status: 403,
      body: { error: expect.stringContaining('http://evil.example'), status: 403 },
    })
    expect((await browserRequest('POST', '/reset', evil)).status).toBe(403)
    expect((await browserRequest('DELETE', '/proxies/guarded', { ...evil, origin: 'null' })).status).toBe(403)
    expect(await (await fetch(`${apiUrl}/proxies/guarded`)).json()).toMatchObject({
      enabled: true,
      toxics: [{ name: 'latency_downstream' }],
    })
  })

  it('answers the lab’s own pages and clients: loopback, IP addresses, and the names in allowedHosts', async () => {
    const own = await browserRequest('GET', '/proxies/guarded', { host: `localhost:${new URL(apiUrl).port}` })
    expect(own.status).toBe(200)
    expect((await browserRequest('GET', '/version', { host: '10.0.0.7:8474' })).status).toBe(200)
    const console = { host: new URL(apiUrl).host, origin: 'http://localhost:8090' }
    expect((await browserRequest('DELETE', '/proxies/guarded/toxics/none', console)).status).toBe(404)
    const named = buildToxiproxyApi({ proxies: new Map(), allowedHosts: ['fault-proxy'] })
    const answer = await named.inject({ method: 'POST', url: '/reset', headers: { host: 'fault-proxy:8474' } })
    expect(answer.statusCode).toBe(204)
    const other = await named.inject({ method: 'GET', url: '/version', headers: { host: 'fault-proxy.evil:8474' } })
    expect(other.statusCode).toBe(403)
    await named.close()
  })
})

describe('mistakes, answered in Toxiproxy’s shape and naming what was wrong', () => {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, body: await response.json() }
  }
  beforeAll(async () => {
    await call('POST', '/proxies', { name: 'edge', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` })
  })

  it.each([
    ['GET', '/proxies/nowhere', undefined, 404, 'proxy "nowhere" not found'],
    ['GET', '/proxies/edge/toxics/ghost', undefined, 404, 'toxic "ghost" not found on proxy "edge"'],
    [
      'POST',
      '/proxies',
      { name: 'edge', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
      409,
      'proxy "edge" already exists',
    ],
    [
      'POST',
      '/proxies',
      { name: 'bad', listen: 'nowhere', upstream: '127.0.0.1:1' },
      400,
      'listen: "nowhere" is not host:port',
    ],
    [
      'POST',
      '/proxies/edge/toxics',
      { type: 'meteor' },
      400,
      'unknown toxic type "meteor" (it is one of latency, bandwidth, slow_close, timeout, reset_peer, limit_data, http_error, postgres_error)',
    ],
    [
      'POST',
      '/proxies/edge/toxics',
      { type: 'http_error', attributes: { status: 302 } },
      400,
      'attribute "status" of http_error: Expected integer to be greater or equal to 400 (an HTTP error status, 400 to 599)',
    ],
    [
      'POST',
      '/proxies/edge/toxics',
      { type: 'http_error', attributes: { code: '40001' } },
      400,
      'http_error has no attribute "code" (it has status, body)',
    ],
    [
      'POST',
      '/proxies/edge/toxics',
      { type: 'postgres_error', attributes: { code: '5XX' } },
      400,
      'attribute "code" of postgres_error: Expected string to match \'^[0-9A-Z]{5}$\' (a SQLSTATE: five digits or capital letters, such as 57P01 admin_shutdown, 53300 too_many_connections, 40001 serialization_failure, 57014 query_canceled)',
    ],
    [
      'POST',
      '/proxies/edge/toxics',
      { type: 'postgres_error', attributes: { message: '' } },
      400,
      'attribute "message" of postgres_error: Expected string length greater or equal to 1 (a string of 1 to 1000 characters)',
    ],
    [
      'POST',
      '/proxies/edge/toxics',
      { type: 'latency', stream: 'sideways' },
      400,
      'unknown stream "sideways" (upstream or downstream)',
    ],
    [
      'POST',
      '/proxies/edge/toxics',
      { type: 'latency', attributes: { delay: 5 } },
      400,
      'latency has no attribute "delay" (it has latency, jitter)',
    ],
    [
      'POST',
      '/proxies/edge/toxics',
      { type: 'latency', attributes: { latency: -1 } },
      400,
      'attribute "latency" of latency: Expected integer to be greater or equal to 0',
    ],
    ['POST', '/proxies/edge/toxics', { type: 'latency', toxicity: 2 }, 400, 'body/toxicity must be <= 1'],
  ])('%s %s', async (method, path, body, status, error) => {
    expect(await call(method, path, body)).toEqual({ status, body: { error, status } })
  })

  it('refuses a second toxic of the same name', async () => {
    expect((await call('POST', '/proxies/edge/toxics', { type: 'latency' })).status).toBe(200)
    expect(await call('POST', '/proxies/edge/toxics', { type: 'latency' })).toEqual({
      status: 409,
      body: { error: 'toxic "latency_downstream" already exists on proxy "edge"', status: 409 },
    })
  })
})
