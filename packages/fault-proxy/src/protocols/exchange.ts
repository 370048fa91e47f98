/**
 * What a connection's bytes are to the protocol toxics (http_error, postgres_error): requests and
 * their answers, or queries and theirs. Every connection's client speaks first; its first chunk
 * says which protocol it speaks (an HTTP/1.x request line, or a PostgreSQL startup, SSL or GSS
 * request), and from then on the connection's two streams are framed, from their first byte, so
 * that a toxic added later acts on a connection already open, as the other toxics do. Anything else
 * (Redis, TLS, HTTP/2, a server that speaks first) is passed through untouched, unframed.
 */
import { HttpExchange, isHttpRequestStart } from './http.ts'
import type { Exchange, ExchangeIo } from './io.ts'
import { isPostgresStart, PostgresExchange } from './postgres.ts'

export type { Exchange, ExchangeIo } from './io.ts'

/** Bytes through as they came: what a connection is when it speaks neither protocol. */
export class Tunnel implements Exchange {
  readonly #io: ExchangeIo
  constructor(io: ExchangeIo) {
    this.#io = io
  }
  fromClient(chunk: Buffer): void {
    this.#io.toServer(chunk)
  }
  fromServer(chunk: Buffer): void {
    this.#io.toClient(chunk)
  }
}

/** The exchange a connection's first chunk from its client says it is. */
export function exchangeFor(firstChunk: Buffer, io: ExchangeIo): Exchange {
  if (isHttpRequestStart(firstChunk)) return new HttpExchange(io)
  if (isPostgresStart(firstChunk)) return new PostgresExchange(io)
  return new Tunnel(io)
}
