/**
 * PostgreSQL's protocol (v3) on an edge, for `postgres_error`: the client's messages and the
 * server's framed by their headers (a type byte and a length; the startup, SSL, GSS and cancel
 * requests before them have a length only). The unit a toxic strikes is a query: a simple Query
 * ('Q'), or an extended-protocol batch (Parse, Bind, Describe, Execute, Close … up to its Sync). A
 * struck query is not passed on: in its turn among the answers the client is owed (pipelining
 * too), the proxy answers it with an ErrorResponse of the toxic's SQLSTATE, then ReadyForQuery, as
 * PostgreSQL answers a query that failed, and the session stays usable. A client that flushed a
 * batch before its Sync gets the error at once and, at the Sync, the ReadyForQuery.
 *
 * The session's transaction is kept as PostgreSQL would keep it: a query struck inside a
 * transaction leaves it failed (the proxy has the server raise the same error, unseen), and a
 * struck COMMIT (or ROLLBACK) ends it rolled back, so no client ever sees a transaction fail while
 * its writes commit. Outside a transaction the server sees nothing. While the proxy finishes a
 * struck query, the client's next messages wait.
 *
 * The startup, the authentication and an SSL or GSS negotiation pass untouched; a session that
 * turns to TLS or GSS encryption is not framed any further (its queries cannot be read).
 */
import type { Toxic, ToxicAttributes } from '../toxics.ts'
import { type Exchange, type ExchangeIo, strikingToxic } from './io.ts'

const SSL_REQUEST = 80_877_103
const GSSENC_REQUEST = 80_877_104
const CANCEL_REQUEST = 80_877_102
/** The longest startup message read; longer is not PostgreSQL's. */
const MAX_STARTUP_BYTES = 10_000

const byte = (letter: string) => letter.charCodeAt(0)
const QUERY = byte('Q')
const SYNC = byte('S')
const FLUSH = byte('H')
const PARSE = byte('P')
const FUNCTION_CALL = byte('F')
const READY_FOR_QUERY = byte('Z')
const NOTIFICATION = byte('A')
const PARAMETER_STATUS = byte('S')
/** The extended protocol's messages that begin a query when no batch is open: Parse, Bind, Describe, Execute, Close. */
const BATCH_START = new Set(['P', 'B', 'D', 'E', 'C'].map(byte))
/** The extended protocol's messages of a batch (besides Sync). */
const BATCH = new Set([...BATCH_START, FLUSH])

/** What PostgreSQL says for the SQLSTATEs an edge's error is often given. */
const MESSAGES: Record<string, string> = {
  '57P01': 'terminating connection due to administrator command',
  '57P02': 'terminating connection because of crash of another server process',
  '57P03': 'the database system is starting up',
  '53300': 'sorry, too many clients already',
  '53200': 'out of memory',
  '53100': 'could not extend file: No space left on device',
  '40001': 'could not serialize access due to concurrent update',
  '40P01': 'deadlock detected',
  '57014': 'canceling statement due to statement timeout',
  '55P03': 'canceling statement due to lock timeout',
  '25006': 'cannot execute statement in a read-only transaction',
  '08006': 'connection failure',
}
export const DEFAULT_SQLSTATE = '57P01'

/** A COMMIT (or END), a ROLLBACK (or ABORT): what ends a transaction, not a savepoint or a prepared one. */
const ENDS_TRANSACTION = /^\s*(commit|end|rollback|abort)\b(?!\s+(prepared|to)\b)/i

/** Whether a connection's first chunk is a PostgreSQL startup, SSL, GSS or cancel request. */
export function isPostgresStart(chunk: Buffer): boolean {
  if (chunk.length < 8) return false
  const length = chunk.readInt32BE(0)
  const code = chunk.readInt32BE(4)
  if (length < 8 || length > MAX_STARTUP_BYTES) return false
  return code === SSL_REQUEST || code === GSSENC_REQUEST || code === CANCEL_REQUEST || code >>> 16 === 3
}

/** A message: its type, its length (itself and the body), its body. */
function message(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head[0] = type
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

/** The ErrorResponse a struck query gets: severity ERROR, the SQLSTATE, the message. */
export function errorResponse(code: string, text: string): Buffer {
  const fields = [
    ['S', 'ERROR'],
    ['V', 'ERROR'],
    ['C', code],
    ['M', text],
  ].map(([field, value]) => `${field}${value}\0`)
  return message(byte('E'), Buffer.from(`${fields.join('')}\0`))
}

const readyForQuery = (status: number) => message(READY_FOR_QUERY, Buffer.from([status]))
const simpleQuery = (sql: string) => message(QUERY, Buffer.from(`${sql}\0`))

/** The statement that fails the server's transaction with the same error: its log says what the client was told. */
function raising(code: string, text: string): string {
  let tag = '$e$'
  for (let n = 0; text.includes(tag); n++) tag = `$e${n}$`
  const literal = `E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`
  return `DO ${tag}BEGIN RAISE EXCEPTION USING ERRCODE = '${code}', MESSAGE = ${literal}; END${tag}`
}

/** A query struck: read to its end (dropped), answered in its turn. */
interface Struck {
  toxic: Toxic
  /** The start of its SQL (a Query's, or its batch's first Parse's): enough to see a COMMIT. */
  sql: string | undefined
  /** The client waits for an answer: its Query came whole, or a Flush or Sync of its batch. */
  waiting: boolean
  /** Its last message (the Query, or the batch's Sync) came: the ReadyForQuery may follow the error. */
  whole: boolean
  /** The ErrorResponse was sent. */
  answered: boolean
}

/** The bytes of SQL read of a Query or a Parse: enough to see what it begins with. */
const SQL_BYTES = 256

/** Answers the client is owed, in order: the server's, the server's to the proxy's own statement (unseen), a struck query's. */
type Owed = 'server' | 'unseen' | 'struck'

export class PostgresExchange implements Exchange {
  readonly #io: ExchangeIo
  #unframed = false

  /** The client's startup is before its first typed message (and after an SSL or GSS request refused). */
  #clientStarting = true
  /** The start of a message not yet whole enough to read (its header, or a startup message). */
  #clientPartial: Buffer | undefined
  /** The client's message being read, and the bytes of it to come. */
  #clientType = 0
  #clientLeft = 0
  /** An extended-protocol batch is open (until its Sync). */
  #inBatch = false
  #struck: Struck | undefined
  /** Bytes of a Query or Parse of the struck query, for its SQL. */
  #sql: Buffer[] = []
  /** The client's bytes after a struck query, waiting for its answer. */
  #held: Buffer[] = []

  /** The server answers an SSL or GSS request with one byte. */
  #negotiating = false
  #serverPartial: Buffer | undefined
  #serverLeft = 0
  /** The server's message being read is dropped (an answer to the proxy's own statement). */
  #serverDropping = false
  /** The startup is over (the server's first ReadyForQuery): queries may be struck. */
  #ready = false
  /** The transaction status of the server's last ReadyForQuery: I (idle), T (in a transaction), E (a failed one). */
  #status = byte('I')
  readonly #owed: Owed[] = []

  constructor(io: ExchangeIo) {
    this.#io = io
  }

  fromClient(chunk: Buffer): void {
    if (this.#unframed) {
      this.#io.toServer(chunk)
      return
    }
    if (this.#struck?.whole) {
      this.#held.push(chunk)
      return
    }
    const buffer = this.#clientPartial ? Buffer.concat([this.#clientPartial, chunk]) : chunk
    this.#clientPartial = undefined
    let at = 0
    /** Where the bytes not yet passed on (or dropped) start. */
    let from = 0
    const pass = (to: number) => {
      if (to > from) this.#io.toServer(buffer.subarray(from, to))
      from = to
    }
    /** The rest, unframed from here. */
    const unframe = () => {
      this.#unframed = true
      pass(buffer.length)
    }
    while (at < buffer.length) {
      if (this.#clientLeft > 0) {
        const taken = Math.min(this.#clientLeft, buffer.length - at)
        if (this.#struck) this.#readSql(buffer.subarray(at, at + taken))
        at += taken
        this.#clientLeft -= taken
        if (this.#clientLeft === 0 && this.#struck) {
          this.#struckMessageEnd(this.#clientType)
          from = at
          if (this.#struck?.whole) break
        }
        continue
      }
      if (this.#clientStarting) {
        if (buffer.length - at < 8) break
        const length = buffer.readInt32BE(at)
        const code = buffer.readInt32BE(at + 4)
        if (length < 8 || length > MAX_STARTUP_BYTES) {
          unframe()
          return
        }
        if (buffer.length - at < length) break
        at += length
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.#negotiating = true
        else if (code >>> 16 === 3) this.#clientStarting = false
        else {
          unframe()
          return
        }
        continue
      }
      if (buffer.length - at < 5) break
      const type = buffer[at] ?? 0
      const length = buffer.readInt32BE(at + 1)
      if (length < 4) {
        unframe()
        return
      }
      if (!this.#struck && this.#ready && (type === QUERY || (!this.#inBatch && BATCH_START.has(type)))) {
        const toxic = strikingToxic(this.#io, 'postgres_error')
        if (toxic) {
          pass(at)
          this.#struck = { toxic, sql: undefined, waiting: false, whole: false, answered: false }
          this.#sql = []
          this.#owed.push('struck')
        }
      }
      if (!this.#struck) {
        if (type === QUERY || type === SYNC || type === FUNCTION_CALL) this.#owed.push('server')
        if (type === SYNC) this.#inBatch = false
        else if (BATCH.has(type)) this.#inBatch = true
      }
      at += 5
      this.#clientType = type
      this.#clientLeft = length - 4
      if (this.#clientLeft === 0 && this.#struck) {
        this.#struckMessageEnd(type)
        from = at
        if (this.#struck?.whole) break
      }
    }
    if (this.#struck) {
      // A struck query's bytes are dropped; after it, the client's wait.
      from = at
      if (this.#struck.whole && at < buffer.length) this.#held.push(buffer.subarray(at))
      else if (at < buffer.length) this.#clientPartial = Buffer.from(buffer.subarray(at))
      return
    }
    pass(at)
    if (at < buffer.length) this.#clientPartial = Buffer.from(buffer.subarray(at))
  }

  /** A Query's or a Parse's bytes, while the struck query's SQL is not known yet. */
  #readSql(bytes: Buffer): void {
    const struck = this.#struck
    if (!struck || struck.sql !== undefined || (this.#clientType !== QUERY && this.#clientType !== PARSE)) return
    const read = this.#sql.reduce((sum, part) => sum + part.length, 0)
    if (read < SQL_BYTES) this.#sql.push(bytes.subarray(0, SQL_BYTES - read))
  }

  /** A message of the struck query ended. */
  #struckMessageEnd(type: number): void {
    const struck = this.#struck
    if (!struck) return
    if (struck.sql === undefined && (type === QUERY || type === PARSE)) {
      const fields = Buffer.concat(this.#sql).toString('utf8').split('\0')
      // A Query's body is its SQL; a Parse's, the statement's name and then its SQL.
      struck.sql = (type === QUERY ? fields[0] : fields[1]) ?? ''
      this.#sql = []
    }
    if (type === QUERY || type === SYNC) struck.whole = true
    if (type === QUERY || type === SYNC || type === FLUSH) struck.waiting = true
    this.#advance()
  }

  fromServer(chunk: Buffer): void {
    if (this.#unframed) {
      this.#io.toClient(chunk)
      return
    }
    const buffer = this.#serverPartial ? Buffer.concat([this.#serverPartial, chunk]) : chunk
    this.#serverPartial = undefined
    let at = 0
    let from = 0
    /** Whether the bytes from `from` are passed on (else dropped). */
    let keep = !this.#serverDropping
    const flush = (to: number) => {
      if (keep && to > from) this.#io.toClient(buffer.subarray(from, to))
      from = to
    }
    while (at < buffer.length) {
      if (this.#negotiating) {
        this.#negotiating = false
        // N: refused, the startup follows in the clear; S (SSL) or G (GSS): encrypted from here.
        if (buffer[at] !== byte('N')) {
          this.#unframed = true
          break
        }
        at++
        continue
      }
      if (this.#serverLeft > 0) {
        const taken = Math.min(this.#serverLeft, buffer.length - at)
        at += taken
        this.#serverLeft -= taken
        continue
      }
      if (buffer.length - at < 5) break
      const type = buffer[at] ?? 0
      const length = buffer.readInt32BE(at + 1)
      if (length < 4) {
        this.#unframed = true
        break
      }
      if (type === READY_FOR_QUERY && buffer.length - at < 6) break
      // The answer to the proxy's own statement is dropped, but for what the client must know anyway.
      const drop = this.#owed[0] === 'unseen' && type !== NOTIFICATION && type !== PARAMETER_STATUS
      if (drop === keep) {
        flush(at)
        keep = !drop
      }
      this.#serverDropping = drop
      const end = at + 1 + length
      if (end > buffer.length) {
        this.#serverLeft = end - buffer.length
        at = buffer.length
        continue
      }
      at = end
      if (type === READY_FOR_QUERY) {
        flush(at)
        this.#status = buffer[at - 1] ?? this.#status
        this.#ready = true
        if (this.#owed[0] === 'server' || this.#owed[0] === 'unseen') this.#owed.shift()
        keep = true
        this.#serverDropping = false
        this.#advance()
      }
    }
    if (this.#unframed) {
      keep = true
      flush(buffer.length)
      return
    }
    flush(at)
    if (at < buffer.length) this.#serverPartial = Buffer.from(buffer.subarray(at))
  }

  /**
   * The struck query, once every answer before it was given: its error, with the server's
   * transaction made to agree (as soon as the client waits), then its ReadyForQuery (once it came
   * whole), and the client's next messages go on.
   */
  #advance(): void {
    const struck = this.#struck
    if (!struck || this.#owed[0] !== 'struck') return
    const { code = DEFAULT_SQLSTATE, message: text = MESSAGES[code] ?? `SQLSTATE ${code}` } = struck.toxic
      .attributes as ToxicAttributes<'postgres_error'>
    if (!struck.answered) {
      if (!struck.waiting) return
      const ends = ENDS_TRANSACTION.test(struck.sql ?? '')
      if (this.#status !== byte('I') && (ends || this.#status === byte('T'))) {
        // In a transaction: a failed COMMIT or ROLLBACK leaves none; any other statement, a failed one.
        this.#io.toServer(simpleQuery(ends ? 'ROLLBACK' : raising(code, text)))
        this.#owed.unshift('unseen')
      }
      this.#io.toClient(errorResponse(code, text))
      struck.answered = true
    }
    if (!struck.whole || this.#owed[0] !== 'struck') return
    this.#owed.shift()
    this.#struck = undefined
    this.#io.toClient(readyForQuery(this.#status))
    const held = this.#held
    this.#held = []
    if (held.length > 0) this.fromClient(Buffer.concat(held))
  }
}
