/**
 * One proxied connection: the client's socket and the upstream's, and the data between them in
 * each direction passed through the toxics in force on that direction. The toxics are read as
 * each chunk passes, so adding or removing one acts on the connections already open, as in
 * Toxiproxy; whether a toxic strikes this connection (its toxicity) is drawn once per connection.
 *
 * Before those, the data goes through the connection's exchange (protocols/): HTTP/1.x and
 * PostgreSQL connections are framed into requests (queries) and their answers, for the toxics that
 * answer some of them on the edge itself (REQUEST_TOXICS, drawn for each request); a proxy's answer
 * then goes to the client through the downstream toxics, as the server's answers do.
 */
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Exchange, type ExchangeIo, exchangeFor, Tunnel } from './protocols/exchange.ts'
import { REQUEST_TOXICS, type Stream, type Toxic, type ToxicAttributes } from './toxics.ts'

export class Link {
  readonly #client: Socket
  readonly #upstream: Socket
  readonly #toxics: () => Toxic[]
  readonly #random: () => number
  /** Whether each toxic (by name and the time it was set) strikes this connection. */
  readonly #strikes = new Map<string, boolean>()
  readonly #timers = new Map<string, NodeJS.Timeout>()
  readonly #sent: Record<Stream, number> = { upstream: 0, downstream: 0 }
  readonly #tail: Record<Stream, Promise<void>> = { upstream: Promise.resolve(), downstream: Promise.resolve() }
  /** Chunks held back and not yet written, per direction: while any is, the next one queues behind it. */
  readonly #held: Record<Stream, number> = { upstream: 0, downstream: 0 }
  #closed = false
  readonly closed: Promise<void>
  readonly #io: ExchangeIo
  /** What the connection's protocol is, once its client has spoken. */
  #exchange: Exchange | undefined

  constructor(client: Socket, upstream: Socket, toxics: () => Toxic[], random: () => number) {
    this.#client = client
    this.#upstream = upstream
    this.#toxics = toxics
    this.#random = random
    this.closed = new Promise((resolve) => {
      const done = () => {
        this.#shut()
        resolve()
      }
      client.once('close', done)
      upstream.once('close', done)
    })
    this.#io = {
      toServer: (bytes) => this.#carry(bytes, 'upstream'),
      toClient: (bytes) => this.#carry(bytes, 'downstream'),
      end: () => this.#endAfterAnswers(),
      toxics: (type) => this.#toxics().filter((toxic) => toxic.type === type),
      random: this.#random,
    }
    client.on('data', (chunk: Buffer) =>
      this.#exchanging(() => {
        this.#exchange ??= exchangeFor(chunk, this.#io)
        this.#exchange.fromClient(chunk)
      }),
    )
    // A server that speaks first speaks neither HTTP nor PostgreSQL.
    upstream.on('data', (chunk: Buffer) =>
      this.#exchanging(() => {
        this.#exchange ??= new Tunnel(this.#io)
        this.#exchange.fromServer(chunk)
      }),
    )
    this.#pump(client, upstream, 'upstream')
    this.#pump(upstream, client, 'downstream')
    this.toxicsChanged()
  }

  /** A chunk through the exchange: a fault of the proxy's own ends this connection, not every edge's. */
  #exchanging(act: () => void): void {
    if (this.#closed) return
    try {
      act()
    } catch (error) {
      process.emitWarning(`fault proxy: a connection closed on ${(error as Error).stack ?? error}`)
      this.close()
    }
  }

  /** The toxics striking this connection in one direction (those of each request aside). */
  #active(stream: Stream): Toxic[] {
    return this.#toxics().filter((toxic) => {
      if (toxic.stream !== stream || REQUEST_TOXICS.has(toxic.type)) return false
      const key = `${toxic.name}\u0000${toxic.type}`
      if (!this.#strikes.has(key)) this.#strikes.set(key, this.#random() < toxic.toxicity)
      return this.#strikes.get(key)
    })
  }

  /** Arms the toxics that act on time rather than on data (timeout, reset_peer); called when they change. */
  toxicsChanged(): void {
    const timed = new Set<string>()
    for (const stream of ['upstream', 'downstream'] as const) {
      for (const toxic of this.#active(stream)) {
        if (toxic.type !== 'timeout' && toxic.type !== 'reset_peer') continue
        const { timeout } = toxic.attributes as ToxicAttributes<'timeout'>
        if (toxic.type === 'timeout' && timeout === 0) continue
        timed.add(toxic.name)
        if (this.#timers.has(toxic.name)) continue
        const act = toxic.type === 'reset_peer' ? () => this.reset() : () => this.close()
        this.#timers.set(toxic.name, setTimeout(act, timeout))
      }
    }
    // A toxic removed before its time does nothing.
    for (const [name, timer] of this.#timers) {
      if (timed.has(name)) continue
      clearTimeout(timer)
      this.#timers.delete(name)
    }
  }

  /** The sockets data of a direction comes from and goes to. */
  #ends(stream: Stream): [from: Socket, to: Socket] {
    return stream === 'upstream' ? [this.#client, this.#upstream] : [this.#upstream, this.#client]
  }

  /** A chunk on its way in one direction, through the toxics in force there. */
  #carry(chunk: Buffer, stream: Stream): void {
    const [from, to] = this.#ends(stream)
    const toxics = this.#active(stream)
    // No toxic, nothing held back: straight through, with the sockets' own backpressure.
    if (toxics.length === 0 && this.#held[stream] === 0) {
      this.#sent[stream] += chunk.length
      if (!to.write(chunk)) {
        from.pause()
        to.once('drain', () => from.resume())
      }
      return
    }
    // timeout: nothing gets through while it is in force.
    if (toxics.some((toxic) => toxic.type === 'timeout')) return
    let data = chunk
    const limit = toxics.find((toxic) => toxic.type === 'limit_data')
    const bytes = limit ? (limit.attributes as ToxicAttributes<'limit_data'>).bytes : Number.POSITIVE_INFINITY
    const allowed = Math.max(0, bytes - this.#sent[stream])
    if (data.length > allowed) data = data.subarray(0, allowed)
    this.#sent[stream] += data.length
    const delayMs = toxics.reduce((sum, toxic) => sum + delayOf(toxic, data.length, this.#random), 0)
    const limited = this.#sent[stream] >= bytes
    from.pause()
    this.#held[stream]++
    this.#tail[stream] = this.#tail[stream].then(async () => {
      if (delayMs > 0) await sleep(delayMs)
      this.#held[stream]--
      if (this.#closed) return
      if (data.length > 0 && !to.write(data)) await new Promise((resolve) => to.once('drain', resolve))
      if (limited) this.close()
      else from.resume()
    })
  }

  /** The connection's ends and their errors. */
  #pump(from: Socket, to: Socket, stream: Stream): void {
    from.on('end', () => {
      this.#tail[stream] = this.#tail[stream].then(async () => {
        const slow = this.#active(stream).find((toxic) => toxic.type === 'slow_close')
        if (slow) await sleep((slow.attributes as ToxicAttributes<'slow_close'>).delay)
        to.end()
      })
    })
    from.on('error', () => this.close())
  }

  /** Closes both sides (a FIN) once what was on its way to the client has gone: after the proxy's last answer. */
  #endAfterAnswers(): void {
    this.#tail.downstream = this.#tail.downstream.then(() => {
      this.#client.end()
      this.#upstream.end()
    })
  }

  /** Closes both sides (a FIN). */
  close(): void {
    this.#client.destroy()
    this.#upstream.destroy()
    this.#shut()
  }

  /** Resets both sides (a TCP RST), as a peer that vanished does. */
  reset(): void {
    this.#client.resetAndDestroy()
    this.#upstream.resetAndDestroy()
    this.#shut()
  }

  #shut(): void {
    this.#closed = true
    for (const timer of this.#timers.values()) clearTimeout(timer)
    this.#timers.clear()
  }
}

/** How long a chunk of `bytes` is held back by a toxic: latency (± jitter), or bandwidth's rate. */
function delayOf(toxic: Toxic, bytes: number, random: () => number): number {
  if (toxic.type === 'latency') {
    const { latency, jitter } = toxic.attributes as ToxicAttributes<'latency'>
    return Math.max(0, latency + (jitter > 0 ? (random() * 2 - 1) * jitter : 0))
  }
  if (toxic.type === 'bandwidth') {
    const { rate } = toxic.attributes as ToxicAttributes<'bandwidth'>
    return rate > 0 ? (bytes / (rate * 1024)) * 1000 : 0
  }
  return 0
}
