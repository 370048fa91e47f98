/**
 * The protocol exchanges alone, fed the same streams cut at every size from 1 byte up: what
 * reaches the server and the client must not depend on where TCP cut the bytes.
 */
import { describe, expect, it } from 'vitest'
import { HttpExchange } from '../src/protocols/http.ts'
import type { Exchange, ExchangeIo } from '../src/protocols/io.ts'
import { PostgresExchange } from '../src/protocols/postgres.ts'
import type { Toxic } from '../src/toxics.ts'
import { scripted } from './seeded.ts'

/** An exchange with one toxic of toxicity 0.5, struck by the draws below it; what it sent each way. */
function harness(make: (io: ExchangeIo) => Exchange, toxic: Omit<Toxic, 'name' | 'stream' | 'toxicity'>) {
  const { draws, random } = scripted()
  const sent = { server: [] as Buffer[], client: [] as Buffer[], ended: false }
  const exchange = make({
    toServer: (bytes) => sent.server.push(Buffer.from(bytes)),
    toClient: (bytes) => sent.client.push(Buffer.from(bytes)),
    end: () => {
      sent.ended = true
    },
    toxics: (type) => (type === toxic.type ? [{ ...toxic, name: 't', stream: 'downstream', toxicity: 0.5 }] : []),
    random,
  })
  const cut = (bytes: Buffer, size: number, into: (chunk: Buffer) => void) => {
    for (let at = 0; at < bytes.length; at += size) into(Buffer.from(bytes.subarray(at, at + size)))
  }
  return {
    draws,
    fromClient: (bytes: Buffer | string, size: number) => cut(Buffer.from(bytes), size, (c) => exchange.fromClient(c)),
    fromServer: (bytes: Buffer | string, size: number) => cut(Buffer.from(bytes), size, (c) => exchange.fromServer(c)),
    server: () => Buffer.concat(sent.server).toString('latin1'),
    client: () => Buffer.concat(sent.client).toString('latin1'),
    sent,
  }
}

describe('HTTP/1.x framing', () => {
  const a = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n'
  const b =
    'POST /b HTTP/1.1\r\nHost: x\r\ntransfer-encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n10;x=y\r\n0123456789abcdef\r\n0\r\nT: 1\r\n\r\n'
  const c = 'PUT /c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'
  const d = 'HEAD /d HTTP/1.1\r\nHost: x\r\n\r\n'
  const answerA = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'
  const answerC = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nnew'
  const answerD = 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'

  for (const size of [1, 2, 3, 4, 5, 7, 13, 64, 1000]) {
    it(`passes requests on and answers a struck one in its turn, the streams cut every ${size} bytes`, () => {
      const http = harness((io) => new HttpExchange(io), { type: 'http_error', attributes: { status: 503 } })
      http.draws.push(0.9, 0.1, 0.9, 0.9)
      http.fromClient(a + b + c + d, size)
      expect(http.server()).toBe(a + c + d)
      expect(http.client()).toBe('')
      http.fromServer(answerA, size)
      expect(http.client()).toMatch(
        /^HTTP\/1\.1 200 OK[\s\S]*0\r\n\r\nHTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*\r\n\r\n$/,
      )
      http.fromServer(answerC + answerD, size)
      expect(http.client().endsWith(answerC + answerD)).toBe(true)
      // The next request on the connection is framed as the first was.
      http.draws.push(0.1)
      http.fromClient(a, size)
      expect(http.client().match(/503/g)).toHaveLength(2)
    })
  }

  it('passes the rest untouched once a request is not HTTP/1.x, the struck one’s head with it', () => {
    const http = harness((io) => new HttpExchange(io), { type: 'http_error', attributes: { status: 503 } })
    http.draws.push(0.1)
    const bad = 'GET /x HTTP/1.1\r\nContent-Length: many\r\n\r\nrest'
    http.fromClient(bad, 5)
    expect(http.server()).toBe(bad)
    expect(http.client()).toBe('')
  })

  it('stops framing after a request to switch protocols', () => {
    const http = harness((io) => new HttpExchange(io), { type: 'http_error', attributes: { status: 503 } })
    http.draws.push(0.9)
    http.fromClient('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 8)
    http.fromServer('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hi', 8)
    http.fromClient('GET / HTTP/1.1\r\n\r\n', 8)
    expect(http.server()).toContain('Upgrade: websocket\r\nConnection: Upgrade\r\n\r\nGET / HTTP/1.1\r\n\r\n')
    expect(http.client()).toContain('\x81\x02hi')
    expect(http.client()).not.toContain('503')
  })
})

/** A PostgreSQL message: type, length, body. */
const message = (type: string, body = '') => {
  const bytes = Buffer.from(body, 'latin1')
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(bytes.length + 4, 1)
  return Buffer.concat([head, bytes]).toString('latin1')
}

describe('PostgreSQL framing', () => {
  const startup = (() => {
    const parameters = Buffer.from('user\0postgres\0database\0x\0\0')
    const head = Buffer.alloc(8)
    head.writeInt32BE(8 + parameters.length, 0)
    head.writeInt32BE(196_608, 4)
    return Buffer.concat([head, parameters]).toString('latin1')
  })()
  const ready = (status: string) => message('Z', status)
  const login = message('R', '\0\0\0\0') + message('S', 'TimeZone\0UTC\0') + message('K', '12345678') + ready('I')
  const q1 = message('Q', 'SELECT 1\0')
  const batch =
    message('P', '\0SELECT $1\0\0\0') +
    message('B', '\0\0\0\0\0\x01\0\0\0\x01x\0\0') +
    message('D', 'P\0') +
    message('E', '\0\0\0\0\0') +
    message('S')
  const q3 = message('Q', 'SELECT 3\0')
  const rows = (n: string) => message('T', `\0\x01n\0${'\0'.repeat(18)}`) + message('D', `\0\x01\0\0\0\x01${n}`)
  const answer1 = rows('1') + message('C', 'SELECT 1\0') + ready('I')
  const answer3 = message('N', 'SWARNING\0Mhm\0\0') + rows('3') + message('C', 'SELECT 1\0') + ready('I')

  for (const size of [1, 2, 3, 5, 6, 11, 64, 1000]) {
    it(`drops a struck batch, answers it in its turn, holds what follows; the streams cut every ${size} bytes`, () => {
      const postgres = harness((io) => new PostgresExchange(io), {
        type: 'postgres_error',
        attributes: { code: '40001' },
      })
      postgres.fromClient(startup, size)
      postgres.fromServer(login, size)
      postgres.draws.push(0.9, 0.1, 0.9)
      postgres.fromClient(q1 + batch + q3, size)
      // The third query waits behind the struck one, which waits behind the first.
      expect(postgres.server()).toBe(startup + q1)
      postgres.fromServer(answer1, size)
      const error = message('E', 'SERROR\0VERROR\0C40001\0Mcould not serialize access due to concurrent update\0\0')
      expect(postgres.client().slice((login + answer1).length)).toBe(error + ready('I'))
      expect(postgres.server()).toBe(startup + q1 + q3)
      postgres.fromServer(answer3, size)
      expect(postgres.client().endsWith(answer3)).toBe(true)
    })
  }

  it('has the server fail its transaction when a statement in one is struck, its answer unseen', () => {
    const postgres = harness((io) => new PostgresExchange(io), {
      type: 'postgres_error',
      attributes: { code: '40001', message: "it's \\ over" },
    })
    postgres.fromClient(startup, 1000)
    postgres.fromServer(login, 1000)
    postgres.draws.push(0.9)
    postgres.fromClient(message('Q', 'BEGIN\0'), 1000)
    postgres.fromServer(message('C', 'BEGIN\0') + ready('T'), 1000)
    postgres.draws.push(0.1)
    const before = postgres.client().length
    postgres.fromClient(q1, 1000)
    expect(postgres.server().slice((startup + message('Q', 'BEGIN\0')).length)).toBe(
      message('Q', "DO $e$BEGIN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = E'it''s \\\\ over'; END$e$\0"),
    )
    // The error goes to the client at once; the server's own answer to the statement is not seen.
    postgres.fromServer(`${message('E', 'SERROR\0C40001\0\0')}${message('S', 'a\0b\0')}${ready('E')}`, 3)
    const after = postgres.client().slice(before)
    expect(after.startsWith(message('E', "SERROR\0VERROR\0C40001\0Mit's \\ over\0\0"))).toBe(true)
    expect(after).toContain(message('S', 'a\0b\0'))
    expect(after.endsWith(ready('E'))).toBe(true)
    expect(after.match(/C40001/g)).toHaveLength(1)
  })

  it('passes an SSL request and a session that turned to TLS untouched', () => {
    const postgres = harness((io) => new PostgresExchange(io), { type: 'postgres_error', attributes: {} })
    const sslRequest = Buffer.alloc(8)
    sslRequest.writeInt32BE(8, 0)
    sslRequest.writeInt32BE(80_877_103, 4)
    postgres.fromClient(sslRequest, 3)
    postgres.fromServer('S', 1)
    postgres.draws.push(0.1)
    postgres.fromClient(`\x16\x03\x01${q1}`, 4)
    postgres.fromServer('\x16\x03\x03 hello', 4)
    expect(postgres.server()).toBe(`${sslRequest.toString('latin1')}\x16\x03\x01${q1}`)
    expect(postgres.client()).toBe('S\x16\x03\x03 hello')
  })
})
