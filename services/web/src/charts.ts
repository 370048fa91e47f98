/**
 * `GET /api/charts?minutes=15&service=order`: the request rate, the 5xx per second and the p95 per
 * service and route over the last minutes (15 by default), a point every 15 s; the windows in which
 * a fault was in force and the alerts that fired, as bands; and exemplars, the traces of slow
 * requests, each said kept or not by the trace store, so a point links to a trace that exists.
 * From Prometheus when it answers with the fleet's series, else the web server's own scrapes
 * (metrics-source.ts). Always 200 with what could be read; a bad parameter is a 400 naming it.
 */
import { FLEET_SERVICES } from '@food/config/service-ports'
import { errorBody } from '@food/errors'
import type { FastifyInstance } from 'fastify'
import type { ChartExemplar, ChartSeries, ChartsAnswer, WindowBand } from './charts-wire.ts'
import { type Exemplar, type FleetWatch, LAB_ROUTES, RETENTION_MS } from './fleet-watch.ts'
import { chartTimes, chooseSource, fleetQueries, type MetricsSource } from './metrics-source.ts'
import type { PrometheusClient, RangeSeries } from './prometheus.ts'
import type { TraceStoreClient } from './trace-store.ts'

/** A point every 15 s over 15 minutes: 60 points whatever the window (at least 5 s apart). */
const POINTS = 60
const MIN_STEP_S = 5
// The slowest exemplar of each route in each slice of this many seconds is shown: a point a minute.
const EXEMPLAR_SLICE_S = 60
const MAX_CHECKED = 300

/** Whether the store holds each trace: kept (true), dropped or gone (false), not known yet (null). */
export class KeptTraces {
  readonly #known = new Map<string, boolean>()

  constructor(private readonly store: TraceStoreClient | undefined) {}

  async kept(traceId: string, observedAt: number): Promise<boolean | null> {
    const known = this.#known.get(traceId)
    if (known !== undefined) return known
    if (!this.store) return null
    let kept: boolean | null
    try {
      const response = await this.store.fetch(`/api/traces/${traceId}`)
      // Each answer read to its end: a connection left with a body unread holds the store's close.
      const body = await response.text()
      if (response.ok) kept = true
      else {
        let code: string | undefined
        try {
          code = (JSON.parse(body) as { error?: { code?: string } }).error?.code
        } catch {}
        // Not received yet is only said of a recent request: the store decides a few seconds after.
        kept = code === 'TRACE_NOT_KEPT' ? false : Date.now() - observedAt > 60_000 ? false : null
      }
    } catch {
      return null
    }
    if (kept !== null) {
      if (this.#known.size > 10_000) this.#known.clear()
      this.#known.set(traceId, kept)
    }
    return kept
  }
}

/** The minutes-long windows in which a range query had a value: each run of steps one window. */
export function windowsOf(series: RangeSeries, stepS: number): { from: number; to: number; max: number }[] {
  const windows: { from: number; to: number; max: number }[] = []
  for (const [at, value] of series.values) {
    const last = windows.at(-1)
    if (last && at - last.to <= stepS * 1.5) {
      last.to = at
      last.max = Math.max(last.max, value)
    } else windows.push({ from: at, to: at, max: value })
  }
  return windows.map(({ from, to, max }) => ({ from: from * 1000, to: to * 1000, max }))
}

/** Fault windows of one fault merged where they overlap (the watch's and Prometheus' of the same switch). */
export function mergeBands(bands: WindowBand[]): WindowBand[] {
  const byKey = new Map<string, WindowBand[]>()
  for (const band of bands) {
    const key = `${band.kind} ${band.service} ${band.name}`
    byKey.set(key, [...(byKey.get(key) ?? []), band])
  }
  const merged: WindowBand[] = []
  for (const group of byKey.values()) {
    group.sort((a, b) => a.from - b.from)
    const runs: WindowBand[] = []
    for (const band of group) {
      const last = runs.at(-1)
      if (last && band.from <= (last.to ?? Number.POSITIVE_INFINITY)) {
        last.to = last.to === null || band.to === null ? null : Math.max(last.to, band.to)
        // The watch's words (`100`, `latency 300 ms`) over Prometheus' none.
        if (band.detail) last.detail = band.detail
      } else runs.push({ ...band })
    }
    merged.push(...runs)
  }
  return merged.sort((a, b) => a.from - b.from)
}

/** The slowest exemplar of each service, route and minute, newest last. */
export function slowestPerSlice(exemplars: Exemplar[]): Exemplar[] {
  const slowest = new Map<string, Exemplar>()
  for (const exemplar of exemplars) {
    const key = `${exemplar.service} ${exemplar.route} ${Math.floor(exemplar.at / 1000 / EXEMPLAR_SLICE_S)}`
    const found = slowest.get(key)
    if (!found || exemplar.value > found.value) slowest.set(key, exemplar)
  }
  return [...slowest.values()].sort((a, b) => a.at - b.at)
}

const valueAt = (series: RangeSeries | undefined, times: number[]) => {
  const byTime = new Map(series?.values ?? [])
  return times.map((at) => {
    const value = byTime.get(at)
    return value === undefined || !Number.isFinite(value) ? null : value
  })
}

async function seriesOf(source: MetricsSource, stepS: number, times: number[], service?: string) {
  const queries = fleetQueries(LAB_ROUTES)
  const by = 'service, route'
  const [rate, errors, p95] = await Promise.all([
    source.range(queries.rate(by), times, stepS),
    source.range(queries.errors(by), times, stepS),
    source.range(queries.p95(by), times, stepS),
  ])
  const key = (labels: Record<string, string>) => `${labels.service} ${labels.route}`
  const find = (list: RangeSeries[], labels: Record<string, string>) => list.find((s) => key(s.labels) === key(labels))
  const series: ChartSeries[] = rate
    .filter((s) => !service || s.labels.service === service)
    .filter((s) => s.values.some(([, value]) => value > 0))
    .map((s) => ({
      service: s.labels.service ?? '',
      route: s.labels.route ?? '',
      rate: valueAt(s, times),
      errors: valueAt(find(errors, s.labels), times).map(
        (value, i) => value ?? (valueAt(s, times)[i] === null ? null : 0),
      ),
      p95_ms: valueAt(find(p95, s.labels), times).map((value) => (value === null ? null : value * 1000)),
    }))
  return series.sort((a, b) => a.service.localeCompare(b.service) || a.route.localeCompare(b.route))
}

export interface ChartsDeps {
  prometheus: PrometheusClient
  watch: FleetWatch
  kept: KeptTraces
}

async function readCharts(deps: ChartsDeps, minutes: number, service: string | undefined): Promise<ChartsAnswer> {
  const stepS = Math.max(MIN_STEP_S, Math.round((minutes * 60) / POINTS))
  // A point on each multiple of the step, and the last one now: a request made a moment ago is on the chart.
  const end = Math.floor(Date.now() / 1000)
  const start = end - minutes * 60
  const times = chartTimes(end, minutes * 60, stepS)
  const { source, prometheus } = await chooseSource(deps.prometheus, deps.watch)
  const answer: ChartsAnswer = {
    source: source?.name ?? 'none',
    prometheus,
    from: start,
    to: end,
    step_s: stepS,
    times,
    series: [],
    bands: [],
    exemplars: [],
  }
  if (!source) {
    answer.note = prometheus.reachable
      ? 'Prometheus holds no series of the fleet yet, and the web server has not read the services’ metrics twice yet'
      : 'Prometheus does not answer, and the web server has not read the services’ metrics twice yet'
  } else {
    answer.series = await seriesOf(source, stepS, times, service)
  }
  const from = start * 1000
  const until = Date.now()
  const bands: WindowBand[] = deps.watch
    .windows(from, until)
    .filter((window) => !service || window.service === service || window.name.includes(service))
    .map(({ kind, ...window }) => ({ ...window, kind: kind === 'switch' ? 'fault' : 'network' }))
  let exemplars: Exemplar[] = deps.watch.exemplars(from, until)
  if (prometheus.reachable) {
    const client = deps.prometheus
    const [faults, alerts, found] = await Promise.all([
      client.range('max by (service, fault) (chaos_fault_value) > 0', start, end, stepS).catch(() => []),
      client.range('ALERTS{alertstate="firing"}', start, end, stepS).catch(() => []),
      source?.name === 'prometheus'
        ? client
            .exemplars(`http_server_request_duration_seconds_bucket{route!~"${LAB_ROUTES}"}`, start, Date.now() / 1000)
            .catch(() => [])
        : Promise.resolve([]),
    ])
    for (const series of faults) {
      const serviceName = series.labels.service ?? ''
      if (service && serviceName !== service) continue
      for (const { from, to, max } of windowsOf(series, stepS)) {
        const name = series.labels.fault ?? ''
        bands.push({ kind: 'fault', service: serviceName, name, detail: String(max), from, to })
      }
    }
    for (const series of alerts) {
      const { alertname = '', severity, service: alertService, ...labels } = series.labels
      if (service && alertService && alertService !== service) continue
      for (const window of windowsOf(series, stepS)) {
        const stillFiring = window.to >= (end - stepS) * 1000
        bands.push({
          kind: 'alert',
          service: alertService ?? labels.sloth_service ?? '',
          name: alertname,
          detail: severity ?? '',
          from: window.from,
          to: stillFiring ? null : window.to + stepS * 1000,
        })
      }
    }
    if (source?.name === 'prometheus') {
      exemplars = found.flatMap((series) =>
        series.exemplars
          .filter((exemplar) => /^[0-9a-f]{32}$/.test(exemplar.labels.trace_id ?? ''))
          .map((exemplar) => ({
            service: series.seriesLabels.service ?? '',
            route: series.seriesLabels.route ?? '',
            method: series.seriesLabels.method ?? '',
            status_code: series.seriesLabels.status_code ?? '',
            trace_id: exemplar.labels.trace_id ?? '',
            value: exemplar.value,
            at: Math.round(exemplar.timestamp * 1000),
          })),
      )
    }
  }
  answer.bands = mergeBands(bands)
  const shown = slowestPerSlice(exemplars.filter((exemplar) => !service || exemplar.service === service)).slice(
    -MAX_CHECKED,
  )
  answer.exemplars = await Promise.all(
    shown.map(
      async (exemplar): Promise<ChartExemplar> => ({
        service: exemplar.service,
        route: exemplar.route,
        method: exemplar.method,
        status_code: exemplar.status_code,
        at: exemplar.at,
        duration_ms: exemplar.value * 1000,
        trace_id: exemplar.trace_id,
        kept: await deps.kept.kept(exemplar.trace_id, exemplar.at),
      }),
    ),
  )
  return answer
}

export function chartRoutes(app: FastifyInstance, deps: ChartsDeps) {
  app.get('/api/charts', async (request, reply) => {
    reply.header('cache-control', 'no-store')
    const query = (request.query ?? {}) as Record<string, unknown>
    const refuse = (code: string, parameter: string, message: string) =>
      reply.code(400).send(errorBody(code, message, { parameter }))
    for (const name of Object.keys(query)) {
      if (name !== 'minutes' && name !== 'service') {
        return refuse('UNKNOWN_PARAMETER', name, `${name} is not a parameter of /api/charts: minutes, service`)
      }
    }
    const maxMinutes = RETENTION_MS / 60_000
    let minutes = maxMinutes
    if (query.minutes !== undefined) {
      const text = String(query.minutes)
      if (!/^\d{1,2}$/.test(text) || Number(text) < 1 || Number(text) > maxMinutes) {
        return refuse(
          'INVALID_PARAMETER',
          'minutes',
          `minutes: \`${text.slice(0, 32)}\` is not a whole number from 1 to ${maxMinutes}`,
        )
      }
      minutes = Number(text)
    }
    const service = query.service === undefined ? undefined : String(query.service)
    if (service !== undefined && !(FLEET_SERVICES as readonly string[]).includes(service)) {
      return refuse(
        'INVALID_PARAMETER',
        'service',
        `service: \`${service.slice(0, 32)}\` is not one of the fleet’s services (${FLEET_SERVICES.join(', ')})`,
      )
    }
    return readCharts(deps, minutes, service)
  })
}
