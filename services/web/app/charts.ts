// The Charts page: per service and route, requests per second, 5xx per second and the p95 over the
// last 15 minutes (uPlot), the windows of faults and firing alerts as bands, and the traces of slow
// requests (exemplars) as points on the latency chart, each a link to its trace.
import { FLEET_SERVICES } from '@food/config/service-ports'
import type uPlot from 'uplot'
import type { ChartExemplar, ChartSeries, ChartsAnswer, WindowBand } from '../src/charts-wire.ts'
import { h, show } from './dom.ts'
import { clock, durationText, getJson } from './server-api.ts'
import { storeProblem } from './traces.ts'
import { loadUPlot, type UPlot } from './uplot.ts'

const REFRESH_MS = 15_000
const PALETTE = [
  '#2563eb',
  '#c2410c',
  '#15803d',
  '#7c3aed',
  '#0891b2',
  '#be185d',
  '#4d7c0f',
  '#b45309',
  '#475569',
  '#dc2626',
]
const BAND_FILL: Record<WindowBand['kind'], string> = {
  fault: 'rgba(220, 38, 38, 0.13)',
  network: 'rgba(234, 88, 12, 0.13)',
  alert: 'rgba(124, 58, 237, 0.13)',
}
const ALERT_STRIP = 'rgba(124, 58, 237, 0.85)'

const KIND_WORDS: Record<WindowBand['kind'], string> = {
  fault: 'fault',
  network: 'network fault',
  alert: 'alert firing',
}

/** A uPlot plugin shading each band's window over the plot (alerts with a strip along the top too). */
const bandsPlugin = (bands: WindowBand[], end: number): uPlot.Plugin => ({
  hooks: {
    drawClear: [
      (u: uPlot) => {
        const { ctx } = u
        ctx.save()
        for (const band of bands) {
          const x0 = u.valToPos(band.from / 1000, 'x', true)
          const x1 = u.valToPos((band.to ?? end * 1000) / 1000, 'x', true)
          const left = Math.max(x0, u.bbox.left)
          const right = Math.min(x1, u.bbox.left + u.bbox.width)
          if (right <= left) continue
          ctx.fillStyle = BAND_FILL[band.kind]
          ctx.fillRect(left, u.bbox.top, Math.max(right - left, 2), u.bbox.height)
          if (band.kind === 'alert') {
            ctx.fillStyle = ALERT_STRIP
            ctx.fillRect(left, u.bbox.top, Math.max(right - left, 2), 4 * devicePixelRatio)
          }
        }
        ctx.restore()
      },
    ],
  },
})

/** A uPlot plugin placing each exemplar as a link over the plot, at its time and duration. */
const exemplarsPlugin = (exemplars: ChartExemplar[], colourOf: (route: string) => string): uPlot.Plugin => ({
  hooks: {
    draw: [
      (u: uPlot) => {
        for (const old of u.over.querySelectorAll('.exemplar')) old.remove()
        for (const exemplar of exemplars) {
          const left = u.valToPos(exemplar.at / 1000, 'x')
          const top = u.valToPos(exemplar.duration_ms, 'y')
          if (!(left >= 0 && left <= u.over.clientWidth && top >= 0 && top <= u.over.clientHeight)) continue
          const words = `${exemplar.method} ${exemplar.route} ${exemplar.status_code}, ${durationText(exemplar.duration_ms)} at ${clock(exemplar.at)}`
          const point =
            exemplar.kept === false
              ? h('span', {
                  class: 'exemplar dropped',
                  title: `${words}: its trace was not kept (tail sampling)`,
                })
              : h('a', {
                  class: 'exemplar',
                  href: `#/traces/${exemplar.trace_id}`,
                  title: `${words}: open its trace`,
                  'aria-label': `Trace of ${words}`,
                  'data-exemplar': exemplar.trace_id,
                })
          point.style.left = `${left}px`
          point.style.top = `${top}px`
          point.style.borderColor = colourOf(exemplar.route)
          u.over.append(point)
        }
      },
    ],
  },
})

type Metric = 'rate' | 'errors' | 'p95_ms'
/** An axis value: as many decimals as the step between ticks needs, no more. */
const perSecond = (value: number, step: number) =>
  `${value.toFixed(step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3)}/s`
const millis = (value: number) =>
  value === 0 ? '0' : value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`

const METRICS: { key: Metric; title: string; unit: (value: number, step: number) => string }[] = [
  { key: 'rate', title: 'Requests per second', unit: perSecond },
  { key: 'errors', title: '5xx per second', unit: perSecond },
  { key: 'p95_ms', title: 'p95 latency', unit: millis },
]

/** `18:45`: the time axis's ticks, in the page's 24-hour clock. */
const minuteOf = (seconds: number) =>
  new Date(seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })

function chart(
  UPlot: UPlot,
  box: HTMLElement,
  answer: ChartsAnswer,
  series: ChartSeries[],
  metric: (typeof METRICS)[number],
  exemplars: ChartExemplar[],
  colourOf: (route: string) => string,
) {
  const width = Math.max(box.clientWidth, 240)
  const exemplarMax = Math.max(0, ...exemplars.map((exemplar) => exemplar.duration_ms))
  const options: uPlot.Options = {
    width,
    height: 170,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: [answer.from, answer.to] },
      y: {
        range: (_u, _min, max) => [
          0,
          Math.max(max, metric.key === 'p95_ms' ? exemplarMax : 0, metric.key === 'p95_ms' ? 1 : 0.1) * 1.1,
        ],
      },
    },
    axes: [
      {
        stroke: '#555',
        grid: { stroke: '#eee' },
        ticks: { stroke: '#ddd' },
        values: (_u, splits) => splits.map(minuteOf),
      },
      {
        stroke: '#555',
        grid: { stroke: '#eee' },
        ticks: { stroke: '#ddd' },
        size: 64,
        values: (_u, splits) => {
          const step = splits.length > 1 ? Math.abs((splits[1] ?? 0) - (splits[0] ?? 0)) : 1
          return splits.map((value) => metric.unit(value, step))
        },
      },
    ],
    series: [{}, ...series.map((s) => ({ label: s.route, stroke: colourOf(s.route), width: 1.6, spanGaps: false }))],
    plugins: [
      bandsPlugin(answer.bands, answer.to),
      ...(metric.key === 'p95_ms' ? [exemplarsPlugin(exemplars, colourOf)] : []),
    ],
  }
  const data = [answer.times, ...series.map((s) => s[metric.key])] as uPlot.AlignedData
  return new UPlot(options, data, box)
}

function bandList(bands: WindowBand[]) {
  if (bands.length === 0)
    return h('p', { class: 'quiet', 'data-bands': '0' }, 'No fault nor firing alert in the window.')
  return h(
    'ul',
    { class: 'band-list' },
    ...bands.map((band) =>
      h(
        'li',
        { class: `band band-${band.kind}`, 'data-band': `${band.kind} ${band.name}` },
        h('span', { class: 'swatch', style: `background: ${BAND_FILL[band.kind].replace('0.13', '0.5')}` }),
        `${KIND_WORDS[band.kind]}: `,
        h('strong', {}, band.name),
        band.detail ? ` ${band.detail}` : '',
        band.service && !band.name.includes(band.service) ? ` (${band.service})` : '',
        ` · ${clock(band.from)}–${band.to === null ? 'now' : clock(band.to)}`,
      ),
    ),
  )
}

/** The slowest requests of a service whose traces the store kept, as links: the chart's points, to read and tab to. */
function slowList(exemplars: ChartExemplar[]) {
  const kept = exemplars
    .filter((exemplar) => exemplar.kept !== false)
    .sort((a, b) => b.duration_ms - a.duration_ms)
    .slice(0, 5)
  if (kept.length === 0) return null
  return h(
    'details',
    { class: 'slow' },
    h('summary', {}, 'The slowest requests with a trace'),
    h(
      'ul',
      {},
      ...kept.map((exemplar) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/traces/${exemplar.trace_id}`, 'data-slow-trace': exemplar.trace_id },
            `${exemplar.method} ${exemplar.route}: ${durationText(exemplar.duration_ms)} at ${clock(exemplar.at)}`,
          ),
        ),
      ),
    ),
  )
}

function sourceText(answer: ChartsAnswer) {
  const prometheus = answer.prometheus
  const alerts = prometheus.reachable
    ? 'Alerts: Prometheus.'
    : `Alerts: none shown, Prometheus does not answer at ${prometheus.url}.`
  const from =
    answer.source === 'prometheus'
      ? `From Prometheus at ${prometheus.url}.`
      : answer.source === 'scrapes'
        ? `From the web server’s own scrapes of the services’ /metrics every few seconds (Prometheus ${prometheus.reachable ? 'holds no series of the fleet' : 'does not answer'}).`
        : (answer.note ?? 'No figures yet.')
  return h(
    'p',
    { class: 'quiet', 'data-source': answer.source },
    `${from} ${alerts} A point every ${answer.step_s} s; rates over 1 min.`,
  )
}

export function chartsView(view: HTMLElement): () => void {
  const picker = h(
    'select',
    { id: 'chart-service' },
    h('option', { value: '' }, 'every service'),
    ...FLEET_SERVICES.map((service) => h('option', { value: service }, service)),
  )
  const minutes = h(
    'select',
    { id: 'chart-minutes', 'aria-label': 'Time range' },
    h('option', { value: '15' }, 'the last 15 minutes'),
    h('option', { value: '5' }, 'the last 5 minutes'),
  )
  const body = h('div', {}, h('p', {}, 'Loading…'))
  show(
    view,
    h('h1', {}, 'Charts'),
    h('p', { class: 'chart-picker' }, h('label', { for: 'chart-service' }, 'Show '), picker, ' over ', minutes),
    body,
  )
  let plots: uPlot[] = []
  let last: ChartsAnswer | undefined
  let UPlot: UPlot | undefined

  const draw = () => {
    for (const plot of plots) plot.destroy()
    plots = []
    const answer = last
    if (!answer || !UPlot) return
    const services = [...new Set(answer.series.map((s) => s.service))].sort(
      (a, b) => FLEET_SERVICES.indexOf(a as never) - FLEET_SERVICES.indexOf(b as never),
    )
    const sections = services.map((service) => {
      const series = answer.series.filter((s) => s.service === service)
      const colours = new Map(series.map((s, i) => [s.route, PALETTE[i % PALETTE.length] ?? '#333']))
      const colourOf = (route: string) => colours.get(route) ?? '#333'
      const exemplars = answer.exemplars.filter((exemplar) => exemplar.service === service)
      const boxes = METRICS.map(() => h('div', { class: 'plot' }))
      const section = h(
        'section',
        { class: 'chart-service', 'aria-labelledby': `charts-${service}`, 'data-chart-service': service },
        h('h2', { id: `charts-${service}` }, `${service} service`),
        h(
          'ul',
          { class: 'legend' },
          ...series.map((s) =>
            h(
              'li',
              { 'data-route': s.route },
              h('span', { class: 'swatch', style: `background: ${colourOf(s.route)}` }),
              s.route,
            ),
          ),
        ),
        h(
          'div',
          { class: 'chart-row' },
          ...METRICS.map((metric, i) =>
            h('figure', { class: 'chart', 'data-chart': metric.key }, h('figcaption', {}, metric.title), boxes[i]),
          ),
        ),
        slowList(exemplars),
      )
      return { section, series, boxes, exemplars, colourOf }
    })
    show(
      body,
      sourceText(answer),
      h(
        'section',
        { class: 'bands', 'aria-labelledby': 'bands-title' },
        h('h2', { id: 'bands-title' }, 'Faults and alerts'),
        bandList(answer.bands),
      ),
      sections.length === 0 && answer.source !== 'none' ? h('p', {}, 'No request in the window.') : null,
      ...sections.map((each) => each.section),
    )
    // Drawn once in the page: each plot as wide as its box.
    for (const { series, boxes, exemplars, colourOf } of sections) {
      METRICS.forEach((metric, i) => {
        const box = boxes[i] as HTMLElement
        plots.push(chart(UPlot as UPlot, box, answer, series, metric, exemplars, colourOf))
      })
    }
  }

  const refresh = async () => {
    const query = `?minutes=${minutes.value}${picker.value ? `&service=${picker.value}` : ''}`
    const [answer, loaded] = await Promise.all([
      getJson<ChartsAnswer>(`/api/charts${query}`),
      loadUPlot().then(
        (value) => value,
        (error: Error) => error,
      ),
    ])
    if (answer.kind !== 'ok') {
      show(
        body,
        answer.kind === 'absent'
          ? h(
              'p',
              { 'data-store': 'absent' },
              'This server does not draw charts (the compose stack’s gateway): see Grafana’s dashboards.',
            )
          : storeProblem(answer),
      )
      return
    }
    if (loaded instanceof Error) {
      show(body, h('p', { class: 'problem' }, `The charts cannot be drawn: ${loaded.message}.`))
      return
    }
    UPlot = loaded
    last = answer.data
    draw()
  }
  picker.addEventListener('change', () => void refresh())
  minutes.addEventListener('change', () => void refresh())
  let resizing: ReturnType<typeof setTimeout> | undefined
  const onResize = () => {
    clearTimeout(resizing)
    resizing = setTimeout(draw, 200)
  }
  window.addEventListener('resize', onResize)
  void refresh()
  const timer = setInterval(() => void refresh(), REFRESH_MS)
  return () => {
    clearInterval(timer)
    clearTimeout(resizing)
    window.removeEventListener('resize', onResize)
    for (const plot of plots) plot.destroy()
  }
}
