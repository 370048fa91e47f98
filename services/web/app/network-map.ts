import type { FleetService } from '@food/config/service-ports'
import { describeEdge, type NetworkState } from '../src/edges.ts'
import { api, messageOf } from './api.ts'
import { h, show } from './dom.ts'

export { describeEdge, type EdgeState, type NetworkState } from '../src/edges.ts'

type Say = (message: string, kind?: 'error' | 'ok') => void

/** Where each part of the fleet sits on the map (a 460 × 150 drawing). */
const NODES = {
  gateway: { x: 60, y: 20, label: 'gateway' },
  order: { x: 60, y: 130, label: 'order' },
  user: { x: 230, y: 20, label: 'user' },
  restaurant: { x: 230, y: 130, label: 'restaurant' },
  postgres: { x: 400, y: 20, label: 'PostgreSQL' },
  redis: { x: 400, y: 75, label: 'Redis' },
} as const
type Part = keyof typeof NODES

/** `order-restaurant` → its two ends. */
const endsOf = (edge: string) => edge.split('-') as [Part, Part]

const SVG = 'http://www.w3.org/2000/svg'
const svg = (tag: string, attributes: Record<string, string | number>, ...children: (Node | string)[]) => {
  const element = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  element.append(...children)
  return element
}

/**
 * The fleet's edges as a small map (each service and what it calls, each edge coloured by what
 * it suffers) and a switch per edge: a latency, peer resets, the edge down, each with a TTL, and
 * clearing them; each sent to the chaos plane that showed the edge.
 */
export function networkPanel(say: Say, token: () => string) {
  const states = new Map<FleetService, NetworkState>()
  const body = h('div', {}, h('p', {}, 'Loading…'))
  const panel = h(
    'section',
    { class: 'network', 'aria-labelledby': 'network-title' },
    h('h2', { id: 'network-title' }, 'Network: the edges through the fault proxy'),
    body,
  )
  // Inputs keep what was typed across refreshes: one per edge, made once.
  const inputs = new Map<string, { latency: HTMLInputElement; ttl: HTMLInputElement }>()
  const inputsOf = (edge: string) => {
    let made = inputs.get(edge)
    if (!made) {
      made = {
        latency: h('input', { type: 'number', min: '0', value: '500', 'aria-label': `${edge}: latency in ms` }),
        ttl: h('input', {
          type: 'number',
          min: '1',
          value: '30',
          'aria-label': `${edge}: seconds before it clears itself`,
        }),
      }
      inputs.set(edge, made)
    }
    return made
  }

  // Each edge is switched on the chaos plane that showed it (the caller's; the gateway's edges, the service's behind it).
  const change = async (service: FleetService, path: string, options: { json?: unknown; method?: string }) => {
    try {
      const answer = await api(service, path, { ...options, headers: token() ? { 'x-chaos-token': token() } : {} })
      say(`${service}: ${answer.message}`, 'ok')
      const state = await api(service, '/chaos')
      update(service, state.network)
    } catch (error) {
      say(`${service}: ${messageOf(error)}`, 'error')
    }
  }

  const render = () => {
    const edges = [...states.entries()].flatMap(([service, state]) =>
      state && 'edges' in state ? Object.entries(state.edges).map(([edge, at]) => ({ service, edge, state: at })) : [],
    )
    const problems = [...states.entries()].flatMap(([service, state]) =>
      state && 'error' in state ? [`${service}: ${state.error}`] : [],
    )
    if (edges.length === 0) {
      return show(
        body,
        h(
          'p',
          {},
          problems.length > 0
            ? problems.join('; ')
            : 'No fault proxy: the services connect straight (npm start with FAULT_PROXY=off).',
        ),
      )
    }
    const map = svg(
      'svg',
      { viewBox: '0 0 460 150', role: 'img', 'aria-labelledby': 'network-map-title', class: 'network-map' },
      svg(
        'title',
        { id: 'network-map-title' },
        'Each service and what it calls; a red edge suffers a fault, a dashed one is down',
      ),
      ...edges.map(({ edge, state }) => {
        const [from, to] = endsOf(edge)
        const a = NODES[from]
        const b = NODES[to]
        const kind = !state.enabled ? 'down' : state.toxics.length > 0 ? 'toxic' : 'healthy'
        return svg(
          'line',
          { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: `edge ${kind}`, 'data-map-edge': edge },
          svg('title', {}, `${edge}: ${describeEdge(state)}`),
        )
      }),
      ...Object.values(NODES).map((node) =>
        svg(
          'g',
          { class: 'node' },
          svg('rect', { x: node.x - 45, y: node.y - 13, width: 90, height: 26, rx: 6 }),
          svg('text', { x: node.x, y: node.y + 5, 'text-anchor': 'middle' }, node.label),
        ),
      ),
    )
    const rows = edges.map(({ service, edge, state }) => {
      const { latency, ttl } = inputsOf(edge)
      const toxics = `/chaos/network/${edge}/toxics`
      const button = (label: string, action: () => void) =>
        h('button', { type: 'button', 'aria-label': `${label} on ${edge}`, onclick: action }, label)
      return h(
        'tr',
        { 'data-edge': edge },
        h('th', { scope: 'row' }, edge.replace('-', ' → ')),
        h(
          'td',
          { class: state.enabled && state.toxics.length === 0 ? '' : 'active', 'data-edge-state': edge },
          describeEdge(state),
        ),
        h('td', { 'data-label': 'Latency' }, latency, ' ms'),
        h('td', { 'data-label': 'TTL' }, ttl, ' s'),
        h(
          'td',
          { class: 'actions' },
          button('Latency', () =>
            change(service, toxics, {
              json: { type: 'latency', attributes: { latency: Number(latency.value) }, ttl_s: Number(ttl.value) },
            }),
          ),
          ' ',
          button('Reset peer', () =>
            change(service, toxics, { json: { type: 'reset_peer', ttl_s: Number(ttl.value) } }),
          ),
          ' ',
          button('Down', () =>
            change(service, `/chaos/network/${edge}`, { json: { enabled: false, ttl_s: Number(ttl.value) } }),
          ),
          ' ',
          button('Clear', async () => {
            for (const toxic of state.toxics) await change(service, `${toxics}/${toxic.name}`, { method: 'DELETE' })
            if (!state.enabled) await change(service, `/chaos/network/${edge}`, { json: { enabled: true } })
          }),
        ),
      )
    })
    show(
      body,
      map,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'faults edges' },
          h(
            'thead',
            {},
            h('tr', {}, ...['Edge', 'Now', 'Latency', 'TTL', ''].map((title) => h('th', { scope: 'col' }, title))),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
      problems.length > 0 && h('p', {}, problems.join('; ')),
    )
  }

  /** A service's network state, from its GET /chaos. */
  const update = (service: FleetService, network: NetworkState | undefined) => {
    states.set(service, network ?? null)
    render()
  }
  return { panel, update }
}
