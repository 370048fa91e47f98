/**
 * postgres_error: a share of the queries on an edge answered by the proxy with a PostgreSQL error,
 * then ReadyForQuery, the session usable after it; simple and extended protocol, pipelined,
 * inside transactions as PostgreSQL would have them; through the real `pg` client the services
 * use, in front of the real PostgreSQL of the test run (a database of this file's own).
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { startTestInfrastructure } from '@food/testing'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildToxiproxyApi, FaultProxy } from '../src/index.ts'
import { predictedStrikes, scripted, seeded } from './seeded.ts'

let stopInfrastructure = async () => {}
/** This file's database, straight (not through the proxy). */
let databaseUrl: URL
let direct: pg.Client
let api: FastifyInstance
let apiUrl: string
const proxies = new Map<string, FaultProxy>()
const clients: pg.Client[] = []

beforeAll(async () => {
  const infrastructure = await startTestInfrastructure()
  stopInfrastructure = infrastructure.stop
  const server = new URL(infrastructure.postgresUrl)
  const database = `fault_proxy_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: server.href })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${database}`)
  await admin.end()
  databaseUrl = new URL(server.href)
  databaseUrl.pathname = `/${database}`
  direct = new pg.Client({ connectionString: databaseUrl.href })
  await direct.connect()
  await direct.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)')
  api = buildToxiproxyApi({ proxies })
  apiUrl = await api.listen({ port: 0, host: '127.0.0.1' })
}, 60_000)

afterAll(async () => {
  await api?.close()
  await direct?.end()
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: new URL('/postgres', databaseUrl).href })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS ${databaseUrl.pathname.slice(1)} WITH (FORCE)`)
    await admin.end()
  }
  await stopInfrastructure()
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => {})))
  await fetch(`${apiUrl}/reset`, { method: 'POST' })
  await direct.query('TRUNCATE counter')
})

/** A proxy in front of PostgreSQL (its numbers drawn by `random`), under the API as `name`. */
async function edge(name: string, random?: () => number) {
  const proxy = new FaultProxy({
    name,
    listen: '127.0.0.1:0',
    upstream: `${databaseUrl.hostname}:${databaseUrl.port || 5432}`,
    ...(random ? { random } : {}),
  })
  await proxy.enable()
  proxies.set(name, proxy)
  const url = new URL(databaseUrl.href)
  const [host = '', port = ''] = proxy.view().listen.split(':')
  url.hostname = host
  url.port = port
  return url.href
}

async function addToxic(name: string, toxic: Record<string, unknown>) {
  const answer = await fetch(`${apiUrl}/proxies/${name}/toxics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(toxic),
  })
  expect(answer.status).toBe(200)
  return answer.json()
}

/** A pg client through the edge, ended after the test. */
async function pgClient(url: string, options: Partial<pg.ClientConfig> = {}) {
  const client = new pg.Client({ connectionString: url, ...options })
  await client.connect()
  clients.push(client)
  return client
}

/** What a query came to: its rows' first value, or its error's code. */
const outcome = (query: Promise<pg.QueryResult>) =>
  query.then(
    (result) => ({ ok: Object.values(result.rows[0] ?? {})[0] ?? result.command }),
    (error: pg.DatabaseError) => ({ code: error.code }),
  )

const count = async () => Number((await direct.query('SELECT coalesce(sum(n), 0) AS n FROM counter')).rows[0].n)

describe('postgres_error answers queries on the edge itself', () => {
  it('answers a simple query with the SQLSTATE, never running it, and the session goes on', async () => {
    const url = await edge('simple')
    // Set before the session starts: its startup and authentication pass untouched.
    expect(await addToxic('simple', { type: 'postgres_error', attributes: { code: '40001' } })).toMatchObject({
      name: 'postgres_error_downstream',
      type: 'postgres_error',
      toxicity: 1,
      attributes: { code: '40001' },
    })
    const client = await pgClient(url)
    const error = await client.query('INSERT INTO counter VALUES (1, 1)').catch((caught: pg.DatabaseError) => caught)
    expect(error).toMatchObject({
      code: '40001',
      severity: 'ERROR',
      message: 'could not serialize access due to concurrent update',
    })
    await fetch(`${apiUrl}/proxies/simple/toxics/postgres_error_downstream`, { method: 'DELETE' })
    expect((await client.query('SELECT 41 + 1 AS n')).rows).toEqual([{ n: 42 }])
    expect(await count()).toBe(0)
  })

  it('answers extended-protocol queries (Parse, Bind, Execute, Sync), prepared ones too, with its message', async () => {
    const url = await edge('extended')
    const client = await pgClient(url)
    await addToxic('extended', {
      type: 'postgres_error',
      attributes: { code: '53300', message: 'sorry, too many clients already' },
    })
    await expect(client.query('SELECT $1::int AS n', [1])).rejects.toMatchObject({
      code: '53300',
      message: 'sorry, too many clients already',
    })
    const prepared = { name: 'add', text: 'INSERT INTO counter VALUES ($1, $2)', values: [1, 5] }
    await expect(client.query(prepared)).rejects.toMatchObject({ code: '53300' })
    await fetch(`${apiUrl}/proxies/extended/toxics/postgres_error_downstream`, { method: 'DELETE' })
    // The statement was never prepared on the server, and pg knows it: it prepares it now.
    await client.query(prepared)
    expect((await client.query('SELECT $1::int AS n', [7])).rows).toEqual([{ n: 7 }])
    expect(await count()).toBe(5)
  })

  it('strikes a share of the queries (toxicity), drawn for each: the same ones for the same seed', async () => {
    const runs: boolean[][] = []
    for (const run of [1, 2]) {
      const url = await edge(`share-${run}`, seeded(2015))
      await addToxic(`share-${run}`, { type: 'postgres_error', toxicity: 0.25, attributes: { code: '57014' } })
      const client = await pgClient(url)
      const struck: boolean[] = []
      for (let i = 0; i < 60; i++) {
        const query = i % 2 === 0 ? client.query('SELECT $1::int AS n', [i]) : client.query(`SELECT ${i} AS n`)
        const answer = await outcome(query)
        if ('ok' in answer) expect(answer.ok).toBe(i)
        else expect(answer.code).toBe('57014')
        struck.push('code' in answer)
      }
      runs.push(struck)
    }
    const predicted = predictedStrikes(2015, 0.25, 60)
    expect(runs).toEqual([predicted, predicted])
    expect(predicted.filter(Boolean).length).toBeGreaterThan(5)
  })

  it('answers pipelined queries in order, a struck one in its turn (pg’s pipeline mode)', async () => {
    const { draws, random } = scripted()
    const url = await edge('pipelined', random)
    const client = await pgClient(url, { pipeline: true } as Partial<pg.ClientConfig>)
    await addToxic('pipelined', { type: 'postgres_error', toxicity: 0.5 })
    draws.push(0.9, 0.1, 0.9, 0.1, 0.1, 0.9)
    const answers = await Promise.all([
      outcome(client.query('SELECT 1 AS n, pg_sleep(0.1)')),
      outcome(client.query('SELECT $1::int AS n', [2])),
      outcome(client.query('SELECT $1::int AS n', [3])),
      outcome(client.query('SELECT $1::int AS n', [4])),
      outcome(client.query('SELECT $1::int AS n', [5])),
      outcome(client.query('SELECT $1::int AS n', [6])),
    ])
    expect(answers).toEqual([{ ok: 1 }, { code: '57P01' }, { ok: 3 }, { code: '57P01' }, { code: '57P01' }, { ok: 6 }])
  })

  it('leaves a transaction as PostgreSQL would: failed after a struck statement, its next statements refused', async () => {
    const { draws, random } = scripted()
    const url = await edge('in-transaction', random)
    const client = await pgClient(url)
    await addToxic('in-transaction', { type: 'postgres_error', toxicity: 0.5, attributes: { code: '40P01' } })
    // BEGIN and the first INSERT pass, the second is struck, the third is refused by the server.
    draws.push(0.9, 0.9, 0.1, 0.9, 0.9)
    await client.query('BEGIN')
    await client.query('INSERT INTO counter VALUES (1, 1)')
    await expect(client.query('INSERT INTO counter VALUES (2, 1)')).rejects.toMatchObject({ code: '40P01' })
    await expect(client.query('INSERT INTO counter VALUES (3, 1)')).rejects.toMatchObject({ code: '25P02' })
    // A COMMIT of a failed transaction rolls it back, as always.
    expect((await client.query('COMMIT')).command).toBe('ROLLBACK')
    expect(await count()).toBe(0)
    expect((await client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }])
  })

  it('rolls back a transaction whose COMMIT is struck: no write of a failed commit ever lands', async () => {
    const { draws, random } = scripted()
    const url = await edge('commit', random)
    const client = await pgClient(url)
    await addToxic('commit', { type: 'postgres_error', toxicity: 0.5, attributes: { code: '40001' } })
    draws.push(0.9, 0.9, 0.1)
    await client.query('BEGIN')
    await client.query('INSERT INTO counter VALUES (1, 1)')
    await expect(client.query('COMMIT')).rejects.toMatchObject({ code: '40001' })
    // Out of the transaction, as after a COMMIT that failed: this INSERT commits on its own.
    await client.query('INSERT INTO counter VALUES (2, 10)')
    expect(await count()).toBe(10)
  })

  it('keeps the books of a pool of retried transactions right under a 30% error rate: every success counted once', async () => {
    const url = await edge('pool', seeded(40))
    await direct.query('INSERT INTO counter VALUES (1, 0)')
    await addToxic('pool', { type: 'postgres_error', toxicity: 0.3, attributes: { code: '40001' } })
    const pool = new pg.Pool({ connectionString: url, max: 4 })
    let committed = 0
    let failed = 0
    await Promise.all(
      Array.from({ length: 60 }, async () => {
        const client = await pool.connect()
        try {
          await client.query('BEGIN')
          await client.query('UPDATE counter SET n = n + 1 WHERE id = 1')
          await client.query('COMMIT')
          committed++
        } catch {
          failed++
          await client.query('ROLLBACK').catch(() => {})
        } finally {
          client.release()
        }
      }),
    )
    await pool.end()
    expect(committed + failed).toBe(60)
    expect(failed).toBeGreaterThan(10)
    expect(await count()).toBe(committed)
  })

  it('answers a batch the client flushed before its Sync at once, and its ReadyForQuery at the Sync (after an SSL request refused)', async () => {
    const url = new URL(await edge('raw'))
    await addToxic('raw', { type: 'postgres_error', attributes: { code: '57014' } })
    const raw = await rawSession(url)
    // Parse, Bind, Describe, Execute, Flush: the client waits, with no Sync yet.
    raw.send(
      message('P', Buffer.from('\0SELECT 1\0\0\0')),
      message('B', Buffer.from('\0\0\0\0\0\0\0\0')),
      message('D', Buffer.from('P\0')),
      message('E', Buffer.from('\0\0\0\0\0')),
      message('H'),
    )
    const error = await raw.next()
    expect(error.type).toBe('E')
    expect(error.body.toString()).toContain('C57014\0')
    raw.send(message('S'))
    expect(await raw.next()).toMatchObject({ type: 'Z', body: Buffer.from('I') })
    raw.socket.destroy()
  })

  it('leaves a session alone while it has no toxic, and an HTTP toxic does nothing to it', async () => {
    const url = await edge('plain')
    await addToxic('plain', { type: 'http_error' })
    const client = await pgClient(url)
    await client.query('BEGIN')
    await client.query('INSERT INTO counter VALUES (1, 3)')
    await client.query('COMMIT')
    expect(await count()).toBe(3)
  })
})

/** A protocol message: its type, its length, its body. */
function message(type: string, body = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

/**
 * A session of PostgreSQL's protocol by hand, through the edge: an SSL request (refused by a server
 * without SSL, or passed on as is), the startup, trust authentication, up to the first ReadyForQuery.
 */
async function rawSession(url: URL) {
  const socket: Socket = connect({ host: url.hostname, port: Number(url.port) })
  await once(socket, 'connect')
  let received = Buffer.alloc(0)
  socket.on('data', (data: Buffer) => {
    received = Buffer.concat([received, data])
  })
  const bytes = async (n: number) => {
    const deadline = Date.now() + 5000
    while (received.length < n) {
      if (Date.now() > deadline) throw new Error(`waited for ${n} bytes, got ${received.length}`)
      await sleep(2)
    }
    const taken = received.subarray(0, n)
    received = received.subarray(n)
    return taken
  }
  const next = async () => {
    const head = await bytes(5)
    return { type: String.fromCharCode(head[0] ?? 0), body: await bytes(head.readInt32BE(1) - 4) }
  }
  const sslRequest = Buffer.alloc(8)
  sslRequest.writeInt32BE(8, 0)
  sslRequest.writeInt32BE(80_877_103, 4)
  socket.write(sslRequest)
  const answer = (await bytes(1)).toString()
  if (answer !== 'N') throw new Error(`this test wants a server without SSL; it answered ${answer}`)
  const parameters = Buffer.from(
    `user\0${decodeURIComponent(url.username) || 'postgres'}\0database\0${url.pathname.slice(1)}\0\0`,
  )
  const startup = Buffer.alloc(8)
  startup.writeInt32BE(8 + parameters.length, 0)
  startup.writeInt32BE(196_608, 4)
  socket.write(Buffer.concat([startup, parameters]))
  for (let reply = await next(); reply.type !== 'Z'; reply = await next()) {
    if (reply.type === 'E' || (reply.type === 'R' && reply.body.readInt32BE(0) !== 0))
      throw new Error(`this test wants trust authentication; the server said ${reply.type} ${reply.body}`)
  }
  return { socket, next, send: (...messages: Buffer[]) => socket.write(Buffer.concat(messages)) }
}
