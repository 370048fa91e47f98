// The Service map page: the gateway, the three services, their PostgreSQL and Redis, each edge with
// its rate, error ratio and p95 over the last minute, faults and down edges marked; refreshed.
import type { Figures, MapEdge, MapNode, ServiceMapView } from '../src/service-map-wire.ts'
import { h, show } from './dom.ts'
import { clock, durationText, getJson } from './server-api.ts'
import { storeProblem } from './traces.ts'

const REFRESH_MS = 5000

/**
 * Where each part sits on the map (a 950 × 440 drawing): the gateway above the three services, and
 * under each service its own PostgreSQL database and Redis keys, so no two edges cross and each
 * database box carries its edge's figures.
 */
const AT: Record<'gateway' | 'user' | 'order' | 'restaurant', { x: number; y: number }> = {
  gateway: { x: 470, y: 34 },
  user: { x: 150, y: 190 },
  order: { x: 470, y: 190 },
  restaurant: { x: 790, y: 190 },
}
const SERVICE_BOX = { width: 180, height: 60 }
const DATABASE_BOX = { width: 150, height: 56, y: 380, offset: 80 }

const SVG = 'http://www.w3.org/2000/svg'
const svg = (tag: string, attributes: Record<string, string | number>, ...children: (Node | string)[]) => {
  const element = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  element.append(...children)
  return element
}

const rateText = (rate: number) => `${rate >= 10 ? rate.toFixed(0) : rate >= 0.1 ? rate.toFixed(1) : rate.toFixed(2)}/s`
const ratioText = (ratio: number | null) =>
  ratio === null ? '—' : ratio === 0 ? '0%' : `${(ratio * 100).toFixed(ratio < 0.01 ? 2 : 1)}%`

/** `2.4/s · 1.5% · 48 ms`, or `no calls`. */
export const figuresText = (figures: Figures | null) =>
  !figures || figures.rate === 0
    ? 'no calls'
    : `${rateText(figures.rate)} · ${ratioText(figures.error_ratio)} · ${figures.p95_ms === null ? '—' : durationText(figures.p95_ms)}`

const SOURCES: Record<Figures['source'], string> = {
  prometheus: 'Prometheus',
  scrapes: 'the web server’s scrapes',
  spans: 'kept traces',
}

/** An edge's class: its state (colour, dashes), and whether its calls fail. */
const edgeClass = (edge: MapEdge) =>
  `map-edge ${edge.state}${(edge.figures?.error_ratio ?? 0) > 0.01 ? ' failing' : ''}`
const edgeWidth = (edge: MapEdge) => {
  const rate = edge.figures?.rate ?? 0
  return (rate > 0 ? Math.min(2 + Math.log10(1 + rate) * 2.5, 8) : 1.5).toFixed(1)
}
const isFaulty = (edge: MapEdge) => edge.state === 'fault' || edge.state === 'down'

/** A line between two points, its state above and its figures below a point along it. */
function edgeLine(
  edge: MapEdge,
  from: { x: number; y: number },
  to: { x: number; y: number },
  label: { x: number; y: number; anchor: string },
) {
  const figures = edge.figures && edge.figures.rate > 0 ? figuresText(edge.figures) : ''
  return svg(
    'g',
    { class: edgeClass(edge), 'data-map-edge': edge.id },
    svg('title', {}, `${edge.id}: ${edge.detail}; ${figuresText(edge.figures)}`),
    svg('line', { x1: from.x, y1: from.y, x2: to.x, y2: to.y, 'stroke-width': edgeWidth(edge) }),
    isFaulty(edge)
      ? svg('text', { x: label.x, y: label.y - 8, 'text-anchor': label.anchor, class: 'edge-state' }, edge.detail)
      : '',
    figures
      ? svg('text', { x: label.x, y: label.y + 16, 'text-anchor': label.anchor, class: 'edge-figures' }, figures)
      : '',
  )
}

function box(
  attributes: Record<string, string>,
  at: { x: number; y: number },
  size: { width: number; height: number },
  title: string,
  label: string,
  second: string,
) {
  return svg(
    'g',
    attributes,
    svg('title', {}, title),
    svg('rect', { x: at.x - size.width / 2, y: at.y - size.height / 2, width: size.width, height: size.height, rx: 8 }),
    svg('text', { x: at.x, y: at.y - 5, 'text-anchor': 'middle', class: 'node-label' }, label),
    svg('text', { x: at.x, y: at.y + 16, 'text-anchor': 'middle', class: 'node-figures' }, second),
  )
}

function nodeBox(node: MapNode) {
  const at = AT[node.id as keyof typeof AT]
  const state = node.up === false ? 'down' : node.faults.length > 0 ? 'fault' : node.up === null ? 'unknown' : 'up'
  const second =
    node.up === false
      ? 'down'
      : node.faults.length > 0
        ? `⚡ ${node.faults.map((fault) => `${fault.name} ${fault.value}`).join(', ')}`
        : node.kind === 'service'
          ? figuresText(node.figures)
          : 'the web front end'
  const size = node.kind === 'gateway' ? { width: 200, height: 52 } : SERVICE_BOX
  return box(
    { class: `map-node ${node.kind} ${state}`, 'data-map-node': node.id },
    at,
    size,
    `${node.label}: ${node.reason ?? state}`,
    node.label,
    second,
  )
}

/** A service's PostgreSQL or Redis: its edge's line and a box with the edge's figures, or what it suffers. */
function databaseEdge(edge: MapEdge, label: string) {
  const service = AT[edge.from as keyof typeof AT]
  const at = { x: service.x + (edge.to === 'postgres' ? -1 : 1) * DATABASE_BOX.offset, y: DATABASE_BOX.y }
  // What it suffers, in the box's few words (a failed check's message is in the title and the table).
  const second = edge.state === 'down' ? 'down' : edge.state === 'fault' ? edge.detail : figuresText(edge.figures)
  return svg(
    'g',
    { class: `${edgeClass(edge)} database`, 'data-map-edge': edge.id },
    svg('title', {}, `${edge.id}: ${edge.detail}; ${figuresText(edge.figures)}`),
    svg('line', {
      x1: service.x + (at.x - service.x) * 0.25,
      y1: service.y + SERVICE_BOX.height / 2,
      x2: at.x,
      y2: at.y - DATABASE_BOX.height / 2,
      'stroke-width': edgeWidth(edge),
    }),
    box({ class: 'map-node database' }, at, DATABASE_BOX, `${label} of ${edge.from}`, label, second),
  )
}

function map(view: ServiceMapView) {
  const edge = (id: string) => view.edges.find((each) => each.id === id)
  const drawn: SVGElement[] = []
  for (const service of ['user', 'order', 'restaurant'] as const) {
    const gateway = edge(`gateway-${service}`)
    const at = AT[service]
    if (gateway) {
      // Each gateway edge's words where the three have spread apart.
      const label =
        service === 'order'
          ? { x: at.x + 8, y: 112, anchor: 'start' }
          : { x: AT.gateway.x + (at.x - AT.gateway.x) * 0.62, y: 112, anchor: 'middle' }
      drawn.push(
        edgeLine(
          gateway,
          { x: AT.gateway.x, y: AT.gateway.y + 26 },
          { x: at.x, y: at.y - SERVICE_BOX.height / 2 },
          label,
        ),
      )
    }
  }
  for (const callee of ['user', 'restaurant'] as const) {
    const call = edge(`order-${callee}`)
    if (!call) continue
    const side = callee === 'user' ? -1 : 1
    const from = { x: AT.order.x + (side * SERVICE_BOX.width) / 2, y: AT.order.y }
    const to = { x: AT[callee].x - (side * SERVICE_BOX.width) / 2, y: AT[callee].y }
    drawn.push(edgeLine(call, from, to, { x: (from.x + to.x) / 2, y: AT.order.y - 4, anchor: 'middle' }))
  }
  for (const service of ['user', 'order', 'restaurant'] as const) {
    for (const [database, label] of [
      ['postgres', 'PostgreSQL'],
      ['redis', 'Redis'],
    ] as const) {
      const call = edge(`${service}-${database}`)
      if (call) drawn.push(databaseEdge(call, label))
    }
  }
  return svg(
    'svg',
    { viewBox: '-8 -4 960 444', role: 'img', 'aria-labelledby': 'map-title', class: 'service-map' },
    svg(
      'title',
      { id: 'map-title' },
      'The fleet: each edge with its calls per second, error ratio and p95 over the last minute; red edges suffer a fault, dashed ones are down',
    ),
    ...drawn,
    ...view.nodes.filter((node) => node.kind !== 'database').map(nodeBox),
  )
}

const stateWords: Record<MapEdge['state'], string> = {
  healthy: 'healthy',
  fault: 'fault',
  down: 'down',
  direct: 'no fault proxy',
  unknown: 'not known',
}

function edgeTable(view: ServiceMapView) {
  const nodeLabel = new Map(view.nodes.map((node) => [node.id, node.label]))
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'map-edges' },
      h('caption', {}, `Each edge over the last ${view.window_s} s`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Edge', 'State', 'Calls/s', 'Errors', 'p95', 'From'].map((title) => h('th', { scope: 'col' }, title)),
        ),
      ),
      h(
        'tbody',
        {},
        ...view.edges.map((edge) =>
          h(
            'tr',
            { 'data-edge': edge.id, class: edge.state },
            h('th', { scope: 'row' }, `${nodeLabel.get(edge.from)} → ${nodeLabel.get(edge.to)}`),
            h(
              'td',
              { class: `edge-state ${edge.state}`, 'data-edge-state': edge.id, title: edge.detail },
              edge.state === 'healthy' || edge.state === 'direct' ? stateWords[edge.state] : edge.detail,
            ),
            h('td', { 'data-label': 'Calls/s' }, edge.figures ? rateText(edge.figures.rate) : '—'),
            h('td', { 'data-label': 'Errors' }, ratioText(edge.figures?.error_ratio ?? null)),
            h(
              'td',
              { 'data-label': 'p95' },
              edge.figures?.p95_ms === null || edge.figures === null ? '—' : durationText(edge.figures.p95_ms),
            ),
            h('td', { class: 'quiet', 'data-label': 'From' }, edge.figures ? SOURCES[edge.figures.source] : '—'),
          ),
        ),
      ),
    ),
  )
}

/** Where the figures come from, in a sentence: the reader knows what a kept trace's rate means. */
function sources(view: ServiceMapView) {
  const metrics =
    view.metrics.source === 'prometheus'
      ? `Services and their calls: Prometheus at ${view.metrics.prometheus.url}.`
      : view.metrics.source === 'scrapes'
        ? `Services and their calls: the web server’s own scrapes of /metrics (Prometheus ${view.metrics.prometheus.reachable ? 'holds no series of the fleet' : 'does not answer'}).`
        : 'Services and their calls: no metrics yet (Prometheus does not answer, and the web server has not scraped twice).'
  const spans = view.spans.reachable
    ? `PostgreSQL and Redis calls (no metric times them): the spans of the ${view.spans.traces} traces the store kept in the minute, each ordinary one counted 1/${(view.spans.share ?? 1).toFixed(2)} times, as the store keeps that share of them.`
    : `PostgreSQL and Redis calls: no spans (${view.spans.error}).`
  return h('p', { class: 'quiet map-sources' }, metrics, ' ', spans)
}

export function serviceMapView(view: HTMLElement): () => void {
  const summary = h('p', { class: 'map-summary', 'data-map-summary': '' }, 'Loading…')
  // One box for the drawing, kept across refreshes: on a phone it scrolls, and stays where it was scrolled.
  const drawing = h('div', { class: 'map-box', hidden: true })
  const rest = h('div', {})
  show(view, h('h1', {}, 'Service map'), summary, drawing, rest)
  let centred = false
  const refresh = async () => {
    const answer = await getJson<ServiceMapView>('/api/service-map')
    if (answer.kind !== 'ok') {
      drawing.hidden = true
      show(summary)
      show(
        rest,
        answer.kind === 'absent'
          ? h(
              'p',
              { 'data-store': 'absent' },
              'This server does not draw the service map (the compose stack’s gateway): see Grafana’s Fleet overview.',
            )
          : storeProblem(answer),
      )
      return
    }
    const down = answer.data.edges.filter((edge) => edge.state === 'down').length
    const faults = answer.data.edges.filter((edge) => edge.state === 'fault').length
    show(
      summary,
      `At ${clock(Date.parse(answer.data.at))}: `,
      down + faults === 0
        ? 'every edge healthy'
        : `${faults} ${faults === 1 ? 'edge' : 'edges'} with a fault, ${down} down`,
      '. Each edge: calls per second · error ratio · p95, over the last minute.',
    )
    drawing.hidden = false
    show(drawing, map(answer.data))
    if (!centred && drawing.scrollWidth > drawing.clientWidth) {
      // A phone sees the middle of the drawing first: the gateway and the order service.
      drawing.scrollLeft = (drawing.scrollWidth - drawing.clientWidth) / 2
      centred = true
    }
    show(rest, edgeTable(answer.data), sources(answer.data))
  }
  void refresh()
  const timer = setInterval(() => void refresh(), REFRESH_MS)
  return () => clearInterval(timer)
}
