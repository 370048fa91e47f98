/**
 * http_error: a share of the requests on an edge answered by the proxy itself, never reaching the
 * server, on keep-alive connections that stay usable, pipelined ones too; through real undici and
 * node:http clients, in front of a real node:http server, set through Toxiproxy's API and its npm
 * client.
 */
import { once } from 'node:events'
import { createServer, Agent as HttpAgent, request as httpRequest, type Server } from 'node:http'
import { connect, createServer as createTcpServer, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { Toxiproxy } from 'toxiproxy-node-client'
import { Agent, Client, request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildToxiproxyApi, FaultProxy } from '../src/index.ts'
import { predictedStrikes, scripted, seeded } from './seeded.ts'

let server: Server
let upstream: string
/** What the server was asked: `METHOD /path body`, in order. */
const seen: string[] = []
/** TCP connections the server accepted. */
let serverConnections = 0
/** The most request lines the server got in one chunk (more than one: they came pipelined). */
let mostInAChunk = 0
let api: FastifyInstance
let apiUrl: string
const proxies = new Map<string, FaultProxy>()

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = ''
    for await (const part of req) body += part
    seen.push(`${req.method} ${req.url}${body ? ` ${body}` : ''}`)
    if (req.url?.startsWith('/slow')) await sleep(100)
    const answer = JSON.stringify({ path: req.url, body })
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
    res.end(req.method === 'HEAD' ? undefined : answer)
  })
  server.on('connection', (socket) => {
    serverConnections++
    socket.on('data', (data: Buffer) => {
      mostInAChunk = Math.max(mostInAChunk, data.toString('latin1').split(' HTTP/1.1\r\n').length - 1)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  upstream = `127.0.0.1:${(server.address() as { port: number }).port}`
  api = buildToxiproxyApi({ proxies })
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' })
})
afterAll(async () => {
  await api.close()
  server.close()
})
afterEach(async () => {
  await fetch(`${apiUrl}/reset`, { method: 'POST' })
  seen.length = 0
})

/** A proxy in front of the server (its numbers drawn by `random`), under the API as `name`: its address. */
async function edge(name: string, random?: () => number): Promise<string> {
  const proxy = new FaultProxy({ name, listen: '127.0.0.1:0', upstream, ...(random ? { random } : {}) })
  await proxy.enable()
  proxies.set(name, proxy)
  return proxy.view().listen
}

/** POST /proxies/{name}/toxics, as any Toxiproxy client sends it: the toxic as the API shows it. */
async function addToxic(name: string, toxic: Record<string, unknown>) {
  const answer = await fetch(`${apiUrl}/proxies/${name}/toxics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(toxic),
  })
  expect(answer.status).toBe(200)
  return answer.json()
}

describe('http_error answers requests on the edge itself', () => {
  it('answers every request 503 (toxicity 1), none reaching the server, then lets them through again: one kept-alive connection throughout', async () => {
    const listen = await edge('all')
    const agent = new Agent({ connections: 1 })
    const get = async (path: string) => {
      const answer = await request(`http://${listen}${path}`, { dispatcher: agent })
      return { status: answer.statusCode, body: await answer.body.text(), headers: answer.headers }
    }
    const connectionsBefore = serverConnections
    expect((await get('/before')).status).toBe(200)
    // Set on a connection already open, as the other toxics act.
    expect(await addToxic('all', { type: 'http_error' })).toMatchObject({
      name: 'http_error_downstream',
      type: 'http_error',
      stream: 'downstream',
      toxicity: 1,
      attributes: { status: 503 },
    })
    for (let i = 0; i < 5; i++) {
      const answer = await get(`/struck/${i}`)
      expect(answer).toMatchObject({ status: 503, body: '', headers: { 'content-length': '0' } })
    }
    await fetch(`${apiUrl}/proxies/all/toxics/http_error_downstream`, { method: 'DELETE' })
    expect(JSON.parse((await get('/after')).body)).toEqual({ path: '/after', body: '' })
    expect(seen).toEqual(['GET /before', 'GET /after'])
    expect(serverConnections - connectionsBefore).toBe(1)
    await agent.close()
  })

  it('answers with its status and body: JSON as application/json, a HEAD without the body', async () => {
    const listen = await edge('busy')
    await addToxic('busy', {
      type: 'http_error',
      stream: 'upstream',
      attributes: { status: 429, body: '{"error":"busy"}' },
    })
    const answer = await request(`http://${listen}/menus/1`, { method: 'POST', body: 'x'.repeat(100_000) })
    expect(answer.statusCode).toBe(429)
    expect(answer.headers['content-type']).toBe('application/json')
    expect(await answer.body.json()).toEqual({ error: 'busy' })
    const head = await request(`http://${listen}/menus/1`, { method: 'HEAD' })
    expect(head.statusCode).toBe(429)
    expect(head.headers['content-length']).toBe('16')
    expect(await head.body.text()).toBe('')
    await fetch(`${apiUrl}/proxies/busy/toxics/http_error_upstream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: { status: 500, body: 'down for maintenance' } }),
    })
    const text = await request(`http://${listen}/`)
    expect(text.statusCode).toBe(500)
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(await text.body.text()).toBe('down for maintenance')
    expect(seen).toEqual([])
  })

  it('strikes a share of the requests (toxicity), drawn for each: the same ones for the same seed', async () => {
    const runs: boolean[][] = []
    for (const run of [1, 2]) {
      const listen = await edge(`share-${run}`, seeded(42))
      await addToxic(`share-${run}`, { type: 'http_error', toxicity: 0.3 })
      const agent = new Agent({ connections: 1 })
      const struck: boolean[] = []
      for (let i = 0; i < 100; i++) {
        const answer = await request(`http://${listen}/r/${i}`, { dispatcher: agent })
        await answer.body.text()
        struck.push(answer.statusCode === 503)
      }
      await agent.close()
      runs.push(struck)
    }
    const predicted = predictedStrikes(42, 0.3, 100)
    expect(runs).toEqual([predicted, predicted])
    const count = predicted.filter(Boolean).length
    expect(count).toBeGreaterThan(15)
    expect(count).toBeLessThan(45)
    // The server saw the others, each once, and only those.
    expect(seen.length).toBe(2 * (100 - count))
  })

  it('keeps answers in order on a pipelined connection, a struck request answered in its turn (undici, pipelining 10)', async () => {
    const listen = await edge('pipelined', seeded(7))
    mostInAChunk = 0
    await addToxic('pipelined', { type: 'http_error', toxicity: 0.5, attributes: { status: 502 } })
    const client = new Client(`http://${listen}`, { pipelining: 10 })
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        // blocking: false, or undici waits for each answer's head before the next request.
        const path = i % 3 === 0 ? `/slow/${i}` : `/${i}`
        const answer = await client.request({ path, method: 'GET', blocking: false })
        return { status: answer.statusCode, body: await answer.body.text() }
      }),
    )
    const predicted = predictedStrikes(7, 0.5, 40)
    answers.forEach((answer, i) => {
      if (predicted[i]) expect(answer).toEqual({ status: 502, body: '' })
      else expect(JSON.parse(answer.body).path).toBe(i % 3 === 0 ? `/slow/${i}` : `/${i}`)
    })
    expect(seen.length).toBe(predicted.filter((struck) => !struck).length)
    expect(mostInAChunk).toBeGreaterThan(1)
    await client.close()
  })

  it('reads a struck request to its end, chunked or not, and answers it after the answers before it (raw pipelining)', async () => {
    const { draws, random } = scripted()
    const listen = await edge('raw', random)
    await addToxic('raw', { type: 'http_error', toxicity: 0.5 })
    // The second of three is struck: a chunked POST whose body must not be taken for a request.
    draws.push(0.9, 0.1, 0.9)
    const raw = await rawClient(listen)
    raw.socket.write(
      'GET /slow/a HTTP/1.1\r\nHost: x\r\n\r\n' +
        'POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5\r\nGET /\r\n7;ext=1\r\n HTTP/1\r\n0\r\nTrailer: t\r\n\r\n' +
        'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok',
    )
    await raw.until((text) => text.includes('"path":"/c"'))
    const statuses = [...raw.text().matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1])
    expect(statuses).toEqual(['200', '503', '200'])
    expect(raw.text().indexOf('"/slow/a"')).toBeLessThan(raw.text().indexOf('503'))
    expect(seen).toEqual(['GET /slow/a', 'POST /c ok'])
    raw.socket.destroy()
  })

  it('answers a request that asks to close, then closes the connection', async () => {
    const listen = await edge('closing')
    await addToxic('closing', { type: 'http_error', attributes: { status: 503 } })
    const raw = await rawClient(listen)
    raw.socket.write('GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    await raw.closed
    expect(raw.text()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/)
    expect(raw.text()).toContain('connection: close\r\n')
    expect(seen).toEqual([])
  })

  it('works for node:http’s keep-alive agent: bodies by length and chunked, sockets reused', async () => {
    const { draws, random } = scripted()
    const listen = await edge('node-http', random)
    await addToxic('node-http', { type: 'http_error', toxicity: 0.5, attributes: { status: 503, body: 'no' } })
    draws.push(0.9, 0.1, 0.1, 0.9, 0.9)
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 })
    const [port] = listen.split(':').slice(1)
    const call = (path: string, body?: string, chunked = false) =>
      new Promise<{ status: number; body: string; reused: boolean }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: Number(port), path, method: body ? 'POST' : 'GET', agent })
        req.on('response', async (res) => {
          let text = ''
          for await (const part of res) text += part
          resolve({ status: res.statusCode ?? 0, body: text, reused: req.reusedSocket })
        })
        req.on('error', reject)
        if (body && chunked) {
          req.write(body.slice(0, 3))
          req.end(body.slice(3))
        } else if (body) {
          req.setHeader('content-length', Buffer.byteLength(body))
          req.end(body)
        } else req.end()
      })
    const answers = [
      await call('/1', 'first body'),
      await call('/2', 'second, chunked', true),
      await call('/3'),
      await call('/4', 'fourth, chunked', true),
      await call('/5'),
    ]
    expect(answers.map((answer) => answer.status)).toEqual([200, 503, 503, 200, 200])
    expect(answers[1]?.body).toBe('no')
    expect(answers.slice(1).every((answer) => answer.reused)).toBe(true)
    expect(seen).toEqual(['POST /1 first body', 'POST /4 fourth, chunked', 'GET /5'])
    agent.destroy()
  })

  it('leaves a connection that is not HTTP as it is', async () => {
    const echo = createTcpServer((socket) => socket.pipe(socket))
    echo.listen(0, '127.0.0.1')
    await once(echo, 'listening')
    const proxy = new FaultProxy({
      name: 'echo',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${(echo.address() as { port: number }).port}`,
    })
    await proxy.enable()
    proxies.set('echo', proxy)
    await addToxic('echo', { type: 'http_error' })
    const raw = await rawClient(proxy.view().listen)
    raw.socket.write('*1\r\n$4\r\nPING\r\n')
    await raw.until((text) => text.length === 14)
    expect(raw.text()).toBe('*1\r\n$4\r\nPING\r\n')
    raw.socket.destroy()
    echo.close()
  })

  it('is set by Toxiproxy’s own npm client', async () => {
    await edge('npm-client')
    const toxiproxy = new Toxiproxy(apiUrl)
    const proxy = await toxiproxy.get('npm-client')
    const toxic = await proxy.addToxic({
      name: 'unavailable',
      type: 'http_error',
      stream: 'downstream',
      toxicity: 0.25,
      attributes: { status: 503 },
    } as never)
    expect(toxic.toJson()).toMatchObject({ type: 'http_error', toxicity: 0.25, attributes: { status: 503 } })
  })
})

/** A plain TCP connection to `listen`, with what came back. */
async function rawClient(listen: string) {
  const [host, port] = listen.split(':')
  const socket: Socket = connect({ host, port: Number(port) })
  await once(socket, 'connect')
  let received = ''
  socket.on('data', (data) => {
    received += data.toString('latin1')
  })
  const closed = once(socket, 'close')
  return {
    socket,
    closed,
    text: () => received,
    until: async (done: (text: string) => boolean) => {
      const deadline = Date.now() + 5000
      while (!done(received)) {
        if (Date.now() > deadline) throw new Error(`still waiting; received ${JSON.stringify(received)}`)
        await sleep(5)
      }
    },
  }
}
