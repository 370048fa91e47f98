/**
 * A proxy as Toxiproxy has them: a name, a listen address, an upstream, enabled or not, and its
 * toxics; every connection to `listen` is a Link to `upstream`. Disabled, it stops listening and
 * drops every connection (the edge is down).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { Link } from './link.ts'
import type { Toxic } from './toxics.ts'

/** A toxic as the API shows it: with when it removes itself, as the chaos switches show theirs. */
export interface ToxicView extends Toxic {
  /** ISO time it is removed at (set with `ttl_s`); null: until removed. */
  expires_at: string | null
  /** The whole seconds it has left, rounded up; null: until removed. */
  ttl_s: number | null
}

export interface ProxyView {
  name: string
  listen: string
  upstream: string
  enabled: boolean
  toxics: ToxicView[]
  /** Taken down with `ttl_s`: the ISO time it comes back up; null when up, or down until enabled. */
  down_expires_at: string | null
  /** The whole seconds it stays down, rounded up; null as for down_expires_at. */
  down_ttl_s: number | null
}

/** `host:port` into its parts; `[::1]:80` for IPv6. */
export function hostAndPort(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address)
  const port = Number(match?.[3])
  if (!match || port > 65_535) throw new Error(`"${address}" is not host:port`)
  return { host: match[1] ?? match[2] ?? '', port }
}

export class FaultProxy {
  readonly name: string
  #listen: string
  #upstream: string
  #enabled = false
  #server: Server | undefined
  readonly #links = new Set<Link>()
  /** Clients whose upstream connection is still being made. */
  readonly #connecting = new Set<Socket>()
  readonly #toxics = new Map<string, Toxic>()
  /** Toxics set with a TTL (this API's addition to Toxiproxy's), and the edge's own downtime. */
  readonly #expiries = new Map<string, NodeJS.Timeout>()
  /** When each of those ends (epoch ms), for the view. */
  readonly #endsAt = new Map<string, number>()
  readonly #random: () => number

  constructor(options: { name: string; listen: string; upstream: string; random?: () => number }) {
    this.name = options.name
    this.#listen = options.listen
    this.#upstream = options.upstream
    this.#random = options.random ?? Math.random
  }

  view(): ProxyView {
    return {
      name: this.name,
      listen: this.#listen,
      upstream: this.#upstream,
      enabled: this.#enabled,
      toxics: [...this.#toxics.values()].map((toxic) => ({ ...toxic, ...this.#expiry(`toxic:${toxic.name}`) })),
      ...(({ expires_at, ttl_s }) => ({ down_expires_at: expires_at, down_ttl_s: ttl_s }))(
        this.#enabled ? { expires_at: null, ttl_s: null } : this.#expiry('down'),
      ),
    }
  }

  /** When a fault set with a TTL undoes itself, as the switches show theirs. */
  #expiry(key: string): { expires_at: string | null; ttl_s: number | null } {
    const endsAt = this.#endsAt.get(key)
    if (endsAt === undefined) return { expires_at: null, ttl_s: null }
    return { expires_at: new Date(endsAt).toISOString(), ttl_s: Math.max(0, Math.ceil((endsAt - Date.now()) / 1000)) }
  }

  get connections(): number {
    return this.#links.size
  }

  /** Starts listening; `listen` with port 0 takes a free port, and says which. */
  async enable(): Promise<void> {
    this.#forget('down')
    if (this.#enabled) return
    const { host, port } = hostAndPort(this.#listen)
    const server = createServer((client) => this.#accept(client))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const address = server.address()
    if (address && typeof address === 'object')
      this.#listen = `${host.includes(':') ? `[${host}]` : host}:${address.port}`
    this.#server = server
    this.#enabled = true
  }

  /** Stops listening and drops every connection. */
  async disable(): Promise<void> {
    if (!this.#enabled) return
    this.#enabled = false
    const server = this.#server
    this.#server = undefined
    for (const link of this.#links) link.close()
    for (const client of this.#connecting) client.destroy()
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve())
  }

  /** A new upstream or listen address; listening again where it listened. */
  async update(changes: { listen?: string; upstream?: string; enabled?: boolean }): Promise<void> {
    const wasEnabled = this.#enabled
    if (changes.listen !== undefined && changes.listen !== this.#listen) {
      hostAndPort(changes.listen)
      await this.disable()
      this.#listen = changes.listen
    }
    if (changes.upstream !== undefined) {
      hostAndPort(changes.upstream)
      this.#upstream = changes.upstream
    }
    const enabled = changes.enabled ?? wasEnabled
    if (enabled) await this.enable()
    else await this.disable()
  }

  toxic(name: string): Toxic | undefined {
    return this.#toxics.get(name)
  }

  /** Sets a toxic; with `ttlMs`, it removes itself after that long (a forgotten fault cannot linger). */
  setToxic(toxic: Toxic, ttlMs?: number): void {
    this.#toxics.set(toxic.name, toxic)
    this.#expire(`toxic:${toxic.name}`, ttlMs, () => this.removeToxic(toxic.name))
    for (const link of this.#links) link.toxicsChanged()
  }

  /** Changes a toxic's stream, toxicity or attributes; it keeps its TTL. */
  updateToxic(toxic: Toxic): void {
    this.#toxics.set(toxic.name, toxic)
    for (const link of this.#links) link.toxicsChanged()
  }

  /** Disables the edge; with `ttlMs`, it comes back up after that long. */
  async down(ttlMs?: number): Promise<void> {
    await this.disable()
    this.#expire('down', ttlMs, () => void this.enable())
  }

  #expire(key: string, ttlMs: number | undefined, act: () => void): void {
    this.#forget(key)
    if (ttlMs === undefined) return
    const timer = setTimeout(() => {
      this.#forget(key)
      act()
    }, ttlMs)
    timer.unref()
    this.#expiries.set(key, timer)
    this.#endsAt.set(key, Date.now() + ttlMs)
  }

  #forget(key: string): void {
    clearTimeout(this.#expiries.get(key))
    this.#expiries.delete(key)
    this.#endsAt.delete(key)
  }

  removeToxic(name: string): boolean {
    this.#forget(`toxic:${name}`)
    const removed = this.#toxics.delete(name)
    for (const link of this.#links) link.toxicsChanged()
    return removed
  }

  #accept(client: Socket): void {
    const { host, port } = hostAndPort(this.#upstream)
    client.pause()
    this.#connecting.add(client)
    const upstream = createConnection({ host, port })
    // An upstream that cannot be reached: the client's connection is closed, as Toxiproxy does.
    upstream.once('error', () => client.destroy())
    client.once('error', () => upstream.destroy())
    client.once('close', () => {
      this.#connecting.delete(client)
      upstream.destroy()
    })
    upstream.once('connect', () => {
      this.#connecting.delete(client)
      if (client.destroyed) return
      const link = new Link(client, upstream, () => [...this.#toxics.values()], this.#random)
      this.#links.add(link)
      void link.closed.then(() => this.#links.delete(link))
      client.resume()
    })
    client.setNoDelay(true)
    upstream.setNoDelay(true)
  }
}
