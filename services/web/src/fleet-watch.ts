/**
 * The web server's own watch of the fleet, for the charts and the service map when Prometheus does
 * not answer: every SCRAPE_INTERVAL_MS it reads each service's /metrics (the request and call
 * histograms only, buckets summed per route, into a @food/promql SampleStore, so the same PromQL
 * runs on them as on Prometheus) with the exemplars of its request histogram, and each GET /chaos
 * for the windows in which a fault was in force (switches, and network faults: toxics, edges down).
 * Everything is kept 15 minutes. It starts when the server listens, and stops when it closes.
 */
import { FLEET_SERVICES, type FleetService } from '@food/config/service-ports'
import { parseExposition, type Sample, SampleStore } from '@food/promql'
import type { FastifyBaseLogger } from 'fastify'
import { describeEdge, type NetworkState } from './edges.ts'
import type { PointCache } from './metrics-source.ts'

export const RETENTION_MS = 15 * 60_000
const TIMEOUT_MS = 2000
const MAX_EXEMPLARS = 5000

/** Routes of the lab's own traffic left out of the charts: probes, scrapes, docs, the chaos plane. */
export const LAB_ROUTES = '/metrics|/health.*|/docs.*|/redoc.*|/openapi.json|/chaos.*|unmatched'
const LAB_ROUTE = new RegExp(`^(?:${LAB_ROUTES})$`)

/**
 * A W3C traceparent whose sampled flag is off: the services' samplers follow their caller, so the
 * web server's own reads of GET /chaos make no traces in the store.
 */
export function unsampledTraceparent(): string {
  const hex = (bytes: number) =>
    Array.from({ length: bytes }, () =>
      Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, '0'),
    ).join('')
  return `00-${hex(16)}-${hex(8)}-00`
}

export interface Exemplar {
  service: string
  route: string
  method: string
  status_code: string
  trace_id: string
  /** Seconds, as the histogram observed it. */
  value: number
  /** Unix milliseconds. */
  at: number
}

export interface FaultWindow {
  /** The service whose chaos plane shows it. */
  service: string
  kind: 'switch' | 'network'
  /** The switch (`payment_fail`) or the edge (`order-restaurant`). */
  name: string
  /** `100`, `latency 300 ms`, `down`. */
  detail: string
  /** Unix milliseconds; `to` null while it is still in force. */
  from: number
  to: number | null
}

/** A service's GET /chaos, as far as the watch and the map read it. */
export interface ChaosView {
  faults?: Record<string, { value: unknown; set_at?: string; expires_at?: string | null }>
  network?: NetworkState
}

/** GET /chaos of a service, without making a trace; throws when it does not answer. */
export async function readChaos(baseUrl: string): Promise<ChaosView> {
  const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/chaos`, {
    headers: { accept: 'application/json', traceparent: unsampledTraceparent() },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  })
  if (response.status === 404) return {}
  if (!response.ok) throw new Error(`it answered ${response.status}`)
  return (await response.json()) as ChaosView
}

const EXEMPLAR_LINE =
  /^http_server_request_duration_seconds_bucket\{(.*)\}\s+\S+\s+#\s+\{trace_id="([0-9a-f]{32})"\}\s+(\S+)(?:\s+(\S+))?/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** The exemplars of the request histogram's buckets in a scrape (OpenMetrics: `… # {trace_id="…"} value timestamp`). */
export function exemplarsIn(text: string, scrapedAt: number): Exemplar[] {
  const found: Exemplar[] = []
  for (const line of text.split('\n')) {
    if (!line.includes(' # {')) continue
    const match = EXEMPLAR_LINE.exec(line)
    if (!match) continue
    const [, labelText = '', traceId = '', value = '', timestamp] = match
    const labels: Record<string, string> = {}
    for (const [, key = '', raw = ''] of labelText.matchAll(LABEL)) labels[key] = raw.replace(/\\(.)/g, '$1')
    const route = labels.route ?? ''
    if (LAB_ROUTE.test(route)) continue
    found.push({
      service: labels.service ?? '',
      route,
      method: labels.method ?? '',
      status_code: labels.status_code ?? '',
      trace_id: traceId,
      value: Number(value),
      at: timestamp === undefined ? scrapedAt : Math.round(Number(timestamp) * 1000),
    })
  }
  return found
}

/**
 * The series the charts and the map query, from one scrape: request and call counts by their labels,
 * histogram buckets summed over method and status (the quantiles are per route or target), the
 * lab's own routes left out. Label sets are shared between scrapes (`intern`), so 15 minutes of
 * scrapes hold little more than the numbers.
 */
export function keptSamples(samples: Sample[], intern: (labels: Record<string, string>) => Record<string, string>) {
  const kept: Sample[] = []
  const buckets = new Map<string, Sample>()
  const addBucket = (name: string, labels: Record<string, string>, value: number) => {
    const key = `${name}${JSON.stringify(labels)}`
    const existing = buckets.get(key)
    if (existing) existing.value += value
    else buckets.set(key, { name, labels: intern(labels), value })
  }
  for (const sample of samples) {
    const { labels } = sample
    switch (sample.name) {
      case 'http_server_request_duration_seconds_count':
        if (LAB_ROUTE.test(labels.route ?? '')) continue
        kept.push({ ...sample, labels: intern(labels) })
        break
      case 'http_server_request_duration_seconds_bucket':
        if (LAB_ROUTE.test(labels.route ?? '')) continue
        addBucket(
          sample.name,
          { service: labels.service ?? '', route: labels.route ?? '', le: labels.le ?? '' },
          sample.value,
        )
        break
      case 'http_client_request_duration_seconds_count':
        kept.push({ ...sample, labels: intern(labels) })
        break
      case 'http_client_request_duration_seconds_bucket':
        addBucket(
          sample.name,
          { service: labels.service ?? '', target: labels.target ?? '', le: labels.le ?? '' },
          sample.value,
        )
        break
    }
  }
  return [...kept, ...buckets.values()]
}

/** The faults in force in one GET /chaos: key, kind, name, detail, since when (unix ms) and until when, if known. */
function faultsIn(service: string, chaos: ChaosView, now: number) {
  const active: { key: string; window: Omit<FaultWindow, 'to'>; until: number | null }[] = []
  for (const [name, fault] of Object.entries(chaos.faults ?? {})) {
    const from = fault.set_at ? Date.parse(fault.set_at) : now
    const until = fault.expires_at ? Date.parse(fault.expires_at) : null
    const detail = typeof fault.value === 'boolean' ? 'on' : String(fault.value)
    active.push({ key: `${service} switch ${name}`, window: { service, kind: 'switch', name, detail, from }, until })
  }
  const edges = chaos.network && 'edges' in chaos.network ? chaos.network.edges : {}
  for (const [edge, state] of Object.entries(edges)) {
    const detail = describeEdge(state)
    if (detail === 'healthy') continue
    active.push({
      key: `${service} network ${edge}`,
      window: { service, kind: 'network', name: edge, detail, from: now },
      until: null,
    })
  }
  return active
}

export class FleetWatch {
  readonly samples = new SampleStore(RETENTION_MS)
  /** The charts' values at past times (metrics-source.ts), dropped with the scrapes they came from. */
  readonly points: PointCache = new Map()
  #exemplars: Exemplar[] = []
  #windows = new Map<string, FaultWindow & { seen: number; until: number | null }>()
  #closed: FaultWindow[] = []
  readonly #labels = new Map<string, Record<string, string>>()
  #timer: NodeJS.Timeout | undefined
  #running = false
  /** When each service was last read, and why not when it was not. */
  readonly lastRead = new Map<string, { at: number; error?: string }>()

  constructor(
    private readonly services: Record<FleetService, string>,
    private readonly intervalMs: number,
    private readonly log?: FastifyBaseLogger,
  ) {}

  start() {
    if (this.intervalMs <= 0 || this.#timer) return
    void this.tick()
    this.#timer = setInterval(() => void this.tick(), this.intervalMs)
    this.#timer.unref()
  }

  stop() {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Whether it has read the fleet at least twice (a rate needs two scrapes). */
  get hasRates(): boolean {
    return this.samples.targets.some((target) => this.samples.between(target, 0, Date.now()).length >= 2)
  }

  private intern = (labels: Record<string, string>) => {
    const key = JSON.stringify(labels)
    let shared = this.#labels.get(key)
    if (!shared) {
      // Label sets are few (routes × statuses); a flood of new ones only starts the sharing over.
      if (this.#labels.size > 20_000) this.#labels.clear()
      shared = labels
      this.#labels.set(key, shared)
    }
    return shared
  }

  /** One read of every service: its metrics and its faults. */
  async tick(now = Date.now()) {
    if (this.#running) return
    this.#running = true
    try {
      await Promise.all(FLEET_SERVICES.map((service) => this.read(service, now)))
      this.prune(now)
    } finally {
      this.#running = false
    }
  }

  private async read(service: FleetService, now: number) {
    const base = this.services[service].replace(/\/+$/, '')
    try {
      const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
      if (!response.ok) throw new Error(`/metrics answered ${response.status}`)
      const text = await response.text()
      const at = Date.now()
      this.samples.add(service, at, keptSamples(parseExposition(text), this.intern))
      const known = new Set(this.#exemplars.map((exemplar) => `${exemplar.trace_id} ${exemplar.route}`))
      for (const exemplar of exemplarsIn(text, at)) {
        if (!known.has(`${exemplar.trace_id} ${exemplar.route}`)) this.#exemplars.push(exemplar)
      }
      this.lastRead.set(service, { at })
    } catch (error) {
      this.lastRead.set(service, { at: now, error: (error as Error).message })
      this.log?.debug({ err: error, service }, 'could not read the service’s metrics')
    }
    try {
      this.record(service, await readChaos(base), now)
    } catch {
      // Its faults are not known this time: the windows open stay as they were.
    }
  }

  /** Opens, extends and closes the fault windows of a service from its GET /chaos. */
  record(service: string, chaos: ChaosView, now: number) {
    const active = faultsIn(service, chaos, now)
    const keys = new Set(active.map((fault) => fault.key))
    for (const fault of active) {
      const open = this.#windows.get(fault.key)
      if (open && open.detail === fault.window.detail) {
        open.seen = now
        open.until = fault.until
      } else {
        if (open) this.close(fault.key, now)
        this.#windows.set(fault.key, { ...fault.window, to: null, seen: now, until: fault.until })
      }
    }
    for (const [key, open] of this.#windows) {
      if (open.service === service && !keys.has(key))
        this.close(key, open.until !== null && open.until < now ? open.until : now)
    }
  }

  private close(key: string, at: number) {
    const open = this.#windows.get(key)
    if (!open) return
    this.#windows.delete(key)
    const { seen: _seen, until: _until, ...window } = open
    this.#closed.push({ ...window, to: Math.max(at, window.from) })
  }

  private prune(now: number) {
    const since = now - RETENTION_MS
    this.#closed = this.#closed.filter((window) => (window.to ?? now) >= since)
    this.#exemplars = this.#exemplars.filter((exemplar) => exemplar.at >= since).slice(-MAX_EXEMPLARS)
    for (const t of this.points.keys()) if (t * 1000 < since) this.points.delete(t)
  }

  /** The fault windows that overlap [from, until] (unix ms), the ones in force with `to` null. */
  windows(from: number, until: number): FaultWindow[] {
    const open = [...this.#windows.values()].map(({ seen: _seen, until: _until, ...window }) => window)
    return [...this.#closed, ...open].filter((window) => window.from <= until && (window.to ?? until) >= from)
  }

  exemplars(from: number, until: number): Exemplar[] {
    return this.#exemplars.filter((exemplar) => exemplar.at >= from && exemplar.at <= until)
  }
}
