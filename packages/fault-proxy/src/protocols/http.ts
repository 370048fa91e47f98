/**
 * HTTP/1.x on an edge, for `http_error`: the client's requests and the server's answers framed as
 * RFC 9112 §6 frames them (a head up to its blank line, then a body by Transfer-Encoding: chunked,
 * Content-Length, or none for a request; a response's by the request's method, its status, then
 * the same headers, or until the connection closes). A struck request is not passed on: the proxy
 * reads it to its end and answers it itself, in its turn among the answers the client is owed, so
 * keep-alive connections stay usable and pipelined requests get their answers in order.
 *
 * The framing is our own rather than a parser's: splicing answers into a stream passed on byte for
 * byte needs the offset where each message ends, which neither node:http's llhttp (not public) nor
 * http-parser-js (callbacks, no offsets) gives; framing is all we need, and it is this short.
 *
 * A request that asks to switch protocols (Upgrade, CONNECT) ends the framing of its connection:
 * after it, its bytes pass untouched either way. So does a head that is not HTTP/1.x.
 */
import { STATUS_CODES } from 'node:http'
import type { Toxic, ToxicAttributes } from '../toxics.ts'
import { type Exchange, type ExchangeIo, strikingToxic } from './io.ts'

const BLANK_LINE = Buffer.from('\r\n\r\n')
/** The longest head read (Node's own limit is 16 KB): a longer one ends the framing of its connection. */
const MAX_HEAD_BYTES = 64 * 1024
/** A request line, whole in the first chunk of a connection: a method, a target, HTTP/1.0 or 1.1. */
const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/1\.[01]\r$/

/** Whether a connection's first chunk starts with an HTTP/1.x request line. */
export function isHttpRequestStart(chunk: Buffer): boolean {
  const lf = chunk.indexOf(10)
  return lf !== -1 && lf <= 8192 && REQUEST_LINE.test(chunk.toString('latin1', 0, lf))
}

/** Bytes that are not the HTTP/1.x they should be: the connection's framing stops there. */
class NotFramed extends Error {}

/** A message's head, up to and with its blank line, however the stream was cut. */
class HeadReader {
  readonly #parts: Buffer[] = []
  #size = 0
  /** The last bytes read (at most 3), while the head is not whole: a blank line may straddle two chunks. */
  #tail: Buffer | undefined

  /** Reads from `at`: the offset just after the head once it is whole, else -1 (all of it read). */
  read(chunk: Buffer, at: number): number {
    let end = -1
    if (this.#tail) {
      const bridge = Buffer.concat([this.#tail, chunk.subarray(at, at + 3)])
      const found = bridge.indexOf(BLANK_LINE)
      if (found !== -1) end = at + found + BLANK_LINE.length - this.#tail.length
    }
    if (end === -1) {
      const found = chunk.indexOf(BLANK_LINE, at)
      if (found !== -1) end = found + BLANK_LINE.length
    }
    const part = chunk.subarray(at, end === -1 ? chunk.length : end)
    if (this.#size + part.length > MAX_HEAD_BYTES) throw new NotFramed(`a head longer than ${MAX_HEAD_BYTES} bytes`)
    this.#parts.push(part)
    this.#size += part.length
    if (end === -1) {
      this.#tail =
        part.length >= 3 ? part.subarray(-3) : Buffer.concat([this.#tail ?? Buffer.alloc(0), part]).subarray(-3)
    }
    return end
  }

  /** What was read of the head so far. */
  bytes(): Buffer {
    return this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts)
  }
}

/** The fields that frame a message or say what becomes of its connection: the only ones read. */
const FRAMING_FIELDS = new Set(['content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade'])
const FRAMING_NAME_LENGTHS = new Set([...FRAMING_FIELDS].map((name) => name.length))

/** A head's start line and the fields of FRAMING_FIELDS in it, names in lower case. */
function parseHead(head: Buffer): { start: string; fields: Map<string, string> } {
  const text = head.toString('latin1')
  const fields = new Map<string, string>()
  let lineEnd = text.indexOf('\r\n')
  const start = text.slice(0, lineEnd)
  /** The field a folded line would continue: its name if it is one read, else ''. */
  let last: string | undefined
  for (let at = lineEnd + 2; at < text.length; at = lineEnd + 2) {
    lineEnd = text.indexOf('\r\n', at)
    if (lineEnd === at || lineEnd === -1) break
    const first = text.charCodeAt(at)
    if (first === 32 || first === 9) {
      // An obsolete folded line continues the field before it.
      if (last === undefined) throw new NotFramed('a folded line with no field before it')
      if (last) fields.set(last, `${fields.get(last)} ${text.slice(at, lineEnd).trim()}`)
      continue
    }
    const colon = text.indexOf(':', at)
    if (colon <= at || colon > lineEnd) throw new NotFramed(`"${text.slice(at, lineEnd)}" is not a field`)
    const name = text.slice(at, colon).trimEnd()
    last = ''
    if (!FRAMING_NAME_LENGTHS.has(name.length)) continue
    const lower = name.toLowerCase()
    if (!FRAMING_FIELDS.has(lower)) continue
    last = lower
    const value = text.slice(colon + 1, lineEnd).trim()
    fields.set(lower, fields.has(lower) ? `${fields.get(lower)}, ${value}` : value)
  }
  return { start, fields }
}

const tokens = (value: string | undefined) =>
  (value ?? '')
    .toLowerCase()
    .split(',')
    .map((token) => token.trim())
    .filter(Boolean)

/** How a message's body ends: by Transfer-Encoding, Content-Length, or (`none`) there is none. */
function bodyOf(fields: Map<string, string>, otherwise: () => BodyReader): BodyReader {
  const coding = fields.get('transfer-encoding')
  if (coding !== undefined) return tokens(coding).at(-1) === 'chunked' ? new ChunkedBody() : otherwise()
  const length = fields.get('content-length')
  if (length === undefined) return otherwise()
  if (/^\d{1,15}$/.test(length)) return new LengthBody(Number(length))
  const lengths = new Set(tokens(length))
  const [only] = lengths
  if (lengths.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only))
    throw new NotFramed(`Content-Length "${length}"`)
  return new LengthBody(Number(only))
}

interface BodyReader {
  /** Reads from `at`; the offset after what was the body's. */
  read(chunk: Buffer, at: number): number
  readonly done: boolean
}

class LengthBody implements BodyReader {
  #left: number
  constructor(length: number) {
    this.#left = length
  }
  get done() {
    return this.#left === 0
  }
  read(chunk: Buffer, at: number): number {
    const taken = Math.min(this.#left, chunk.length - at)
    this.#left -= taken
    return at + taken
  }
}

const noBody = () => new LengthBody(0)

/** Until the connection closes: what a response with no length says. */
class UntilClose implements BodyReader {
  readonly done = false
  read(chunk: Buffer): number {
    return chunk.length
  }
}

/** Chunks, each its size in hex on a line of its own, then its bytes and CRLF; a 0 one, trailers, a blank line. */
class ChunkedBody implements BodyReader {
  #state: 'size' | 'data' | 'trailers' = 'size'
  #line = ''
  #left = 0
  /** Characters of the trailer line being read, CR aside. */
  #trailerLine = 0
  done = false

  read(chunk: Buffer, start: number): number {
    let at = start
    while (at < chunk.length && !this.done) {
      if (this.#state === 'data') {
        const taken = Math.min(this.#left, chunk.length - at)
        this.#left -= taken
        at += taken
        if (this.#left === 0) this.#state = 'size'
      } else if (this.#state === 'size') {
        const lf = chunk.indexOf(10, at)
        this.#line += chunk.toString('latin1', at, lf === -1 ? chunk.length : lf)
        if (this.#line.length > 1024) throw new NotFramed('a chunk size line longer than 1024 bytes')
        if (lf === -1) return chunk.length
        at = lf + 1
        const size = this.#line.split(';')[0]?.trim() ?? ''
        this.#line = ''
        if (!/^[0-9a-fA-F]{1,12}$/.test(size)) throw new NotFramed(`chunk size "${size}"`)
        const bytes = Number.parseInt(size, 16)
        if (bytes === 0) this.#state = 'trailers'
        else {
          // Its bytes, and the CRLF after them.
          this.#left = bytes + 2
          this.#state = 'data'
        }
      } else {
        const byte = chunk[at++]
        if (byte === 10) {
          if (this.#trailerLine === 0) this.done = true
          this.#trailerLine = 0
        } else if (byte !== 13) this.#trailerLine++
      }
    }
    return at
  }
}

interface RequestHead {
  method: string
  version: string
  body: BodyReader
  /** Whether the client asked for the connection to close after it (or may hold its body back). */
  closes: boolean
  /** It asks to switch protocols: the framing stops after it. */
  switches: boolean
}

function requestHead(head: Buffer): RequestHead {
  const { start, fields } = parseHead(head)
  const [method = '', , protocol = ''] = start.split(' ')
  const version = protocol.slice('HTTP/'.length)
  if (!/^HTTP\/1\.[01]$/.test(protocol)) throw new NotFramed(`request line "${start}"`)
  const connection = fields.has('connection') ? tokens(fields.get('connection')) : []
  const closes =
    connection.includes('close') ||
    (version === '1.0' && !connection.includes('keep-alive')) ||
    // Answered before its body came, the client may never send it: RFC 9110 §10.1.1 lets the
    // server close instead of reading it.
    (fields.has('expect') && tokens(fields.get('expect')).includes('100-continue'))
  return {
    method,
    version,
    body: bodyOf(fields, noBody),
    closes,
    switches: method === 'CONNECT' || fields.has('upgrade'),
  }
}

/** A response's head: an interim one (1xx), a switch of protocols, or an answer and its body. */
function responseHead(head: Buffer, method: string): { interim: boolean; switches: boolean; body: BodyReader } {
  const { start, fields } = parseHead(head)
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(start)
  if (!match) throw new NotFramed(`status line "${start}"`)
  const status = Number(match[1])
  if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300))
    return { interim: false, switches: true, body: noBody() }
  if (status < 200) return { interim: true, switches: false, body: noBody() }
  if (method === 'HEAD' || status === 204 || status === 304) return { interim: false, switches: false, body: noBody() }
  return { interim: false, switches: false, body: bodyOf(fields, () => new UntilClose()) }
}

/** The proxy's answer to a struck request: its status, its body if any, and whether it closes. */
export function httpErrorAnswer(toxic: Toxic, request: Pick<RequestHead, 'method' | 'version'>, closes: boolean) {
  const { status, body = '' } = toxic.attributes as ToxicAttributes<'http_error'>
  const payload = Buffer.from(body)
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    `date: ${new Date().toUTCString()}`,
    `content-length: ${payload.length}`,
  ]
  if (payload.length > 0) lines.push(`content-type: ${isJson(body) ? 'application/json' : 'text/plain; charset=utf-8'}`)
  if (closes) lines.push('connection: close')
  else if (request.version === '1.0') lines.push('connection: keep-alive')
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')
  return request.method === 'HEAD' ? head : Buffer.concat([head, payload])
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** What the client is owed next: the server's answer to a request passed on, or the proxy's own. */
type Owed = { from: 'server'; method: string } | { from: 'proxy'; answer: Buffer; closes: boolean }

export class HttpExchange implements Exchange {
  readonly #io: ExchangeIo
  /** The answers the client is owed, in the order of its requests. */
  readonly #owed: Owed[] = []
  /** The request being read: struck (by `toxic`) or passed on. */
  #request: { head: HeadReader; toxic: Toxic | undefined; body?: BodyReader } | undefined
  #response: { head: HeadReader; method: string; body?: BodyReader } | undefined
  /** No longer framed, this way or both: bytes pass untouched. */
  #clientUnframed = false
  #serverUnframed = false
  /** The proxy answers the client's last request and closes the connection: nothing more is read from it. */
  #clientDone = false
  /** The proxy answered and closes the connection: nothing more is read. */
  #closing = false

  constructor(io: ExchangeIo) {
    this.#io = io
  }

  fromClient(chunk: Buffer): void {
    if (this.#closing || this.#clientDone) return
    if (this.#clientUnframed) {
      this.#io.toServer(chunk)
      return
    }
    let at = 0
    /** Where the bytes not yet passed on (or dropped) start. */
    let from = 0
    const pass = (to: number) => {
      if (to > from) this.#io.toServer(chunk.subarray(from, to))
      from = to
    }
    try {
      while (at < chunk.length) {
        let request = this.#request
        if (!request) {
          // Blank lines before a request line are ignored, by servers as here (RFC 9112 §2.2).
          if (chunk[at] === 13 || chunk[at] === 10) {
            at++
            continue
          }
          const toxic = strikingToxic(this.#io, 'http_error')
          if (toxic) pass(at)
          request = { head: new HeadReader(), toxic }
          this.#request = request
        }
        if (!request.body) {
          const end = request.head.read(chunk, at)
          if (end === -1) break
          at = end
          const head = requestHead(request.head.bytes())
          request.body = head.body
          if (request.toxic) {
            from = at
            if (head.closes) this.#clientDone = true
            this.#owe({ from: 'proxy', answer: httpErrorAnswer(request.toxic, head, head.closes), closes: head.closes })
            if (head.closes) return
          } else {
            this.#owed.push({ from: 'server', method: head.method })
            if (head.switches) {
              this.#clientUnframed = true
              this.#request = undefined
              pass(chunk.length)
              return
            }
          }
        }
        at = request.body.read(chunk, at)
        if (request.body.done) {
          if (request.toxic) from = at
          this.#request = undefined
        }
      }
    } catch (error) {
      if (!(error instanceof NotFramed)) throw error
      this.#unframeClient(chunk, at, pass)
      return
    }
    if (this.#request?.toxic) from = chunk.length
    else pass(chunk.length)
  }

  /**
   * Bytes that are not HTTP/1.x, from `at`: from here they pass untouched, the head of a struck
   * request with them; a struck request whose body is not (its answer given) closes the connection.
   */
  #unframeClient(chunk: Buffer, at: number, pass: (to: number) => void): void {
    const request = this.#request
    this.#request = undefined
    if (request?.toxic && request.body) {
      this.#clientDone = true
      this.#owe({ from: 'proxy', answer: Buffer.alloc(0), closes: true })
      return
    }
    this.#clientUnframed = true
    if (request?.toxic) this.#io.toServer(Buffer.concat([request.head.bytes(), chunk.subarray(at)]))
    else pass(chunk.length)
  }

  fromServer(chunk: Buffer): void {
    if (this.#closing) return
    if (this.#serverUnframed) {
      this.#io.toClient(chunk)
      return
    }
    let at = 0
    let from = 0
    const pass = (to: number) => {
      if (to > from) this.#io.toClient(chunk.subarray(from, to))
      from = to
    }
    try {
      while (at < chunk.length) {
        let response = this.#response
        if (!response) {
          const owed = this.#owed[0]
          response = { head: new HeadReader(), method: owed?.from === 'server' ? owed.method : 'GET' }
          this.#response = response
        }
        if (!response.body) {
          const end = response.head.read(chunk, at)
          if (end === -1) break
          at = end
          const head = responseHead(response.head.bytes(), response.method)
          if (head.switches) {
            this.#serverUnframed = true
            this.#response = undefined
            pass(chunk.length)
            return
          }
          if (head.interim) {
            this.#response = undefined
            continue
          }
          response.body = head.body
        }
        at = response.body.read(chunk, at)
        if (response.body.done) {
          this.#response = undefined
          pass(at)
          if (this.#owed[0]?.from === 'server') this.#owed.shift()
          this.#payOwed()
          if (this.#closing) return
        }
      }
    } catch (error) {
      if (!(error instanceof NotFramed)) throw error
      this.#serverUnframed = true
      this.#response = undefined
    }
    pass(chunk.length)
  }

  #owe(owed: Owed): void {
    this.#owed.push(owed)
    this.#payOwed()
  }

  /** The proxy's answers that are next in turn, sent. */
  #payOwed(): void {
    let next = this.#owed[0]
    while (next?.from === 'proxy') {
      this.#owed.shift()
      this.#io.toClient(next.answer)
      if (next.closes) {
        this.#closing = true
        this.#owed.length = 0
        this.#io.end()
        return
      }
      next = this.#owed[0]
    }
  }
}
