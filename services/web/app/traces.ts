// The Traces page: a search of the trace store (service, route, status, duration, time range, a
// fault's event, an order) and the traces found, each one click from its waterfall; and a box
// that opens a trace by its id (an answer's X-Trace-Id).
import { FLEET_SERVICES } from '@food/config/service-ports'
import type { TraceRowView } from '../src/otlp.ts'
import type { TraceList } from '../src/trace-store.ts'
import { TRACE_ID } from './api.ts'
import { h, show } from './dom.ts'
import { type Answer, clock, durationText, getJson } from './server-api.ts'

/** The search as the page's address says it: `#/traces?service=order&chaos=1&since=15`. */
export interface TraceSearch {
  service: string
  route: string
  status: string
  /** Milliseconds. */
  min: string
  max: string
  /** Minutes back; empty: every trace the store holds. */
  since: string
  chaos: boolean
  order: string
}

const SINCE = [
  ['5', 'last 5 minutes'],
  ['15', 'last 15 minutes'],
  ['60', 'last hour'],
  ['360', 'last 6 hours'],
  ['', 'all the store holds'],
] as const

export const searchOf = (params: URLSearchParams): TraceSearch => ({
  service: params.get('service') ?? '',
  route: params.get('route') ?? '',
  status: params.get('status') ?? '',
  min: params.get('min') ?? '',
  max: params.get('max') ?? '',
  since: params.get('since') ?? '60',
  chaos: params.get('chaos') === '1',
  order: params.get('order') ?? '',
})

/** A logfmt value, quoted when it must be. */
const logfmtValue = (value: string) => (/^[^\s"=]+$/.test(value) ? value : JSON.stringify(value))

/** Tempo's search parameters (`tags` in logfmt, `minDuration`, `start`…) for a search of the page. */
export function tempoQuery(search: TraceSearch, now = Date.now()): URLSearchParams {
  const tags: [string, string][] = []
  // The fleet names its services `order-service`: a tag matches what contains its value.
  if (search.service) tags.push(['service.name', `${search.service}-service`])
  if (search.route) tags.push(['http.route', search.route])
  if (search.status) tags.push(['status', search.status])
  if (search.chaos) tags.push(['chaos.injected', 'true'])
  if (search.order) tags.push(['order.id', search.order])
  const query = new URLSearchParams()
  if (tags.length > 0) query.set('tags', tags.map(([key, value]) => `${key}=${logfmtValue(value)}`).join(' '))
  if (search.min) query.set('minDuration', `${search.min}ms`)
  if (search.max) query.set('maxDuration', `${search.max}ms`)
  if (search.since) {
    query.set('start', String(Math.floor(now / 1000) - Number(search.since) * 60))
    query.set('end', String(Math.ceil(now / 1000)))
  }
  // An order id matches any that contains it (42 in 142): more are read, the exact ones kept.
  query.set('limit', search.order ? '200' : '50')
  return query
}

/** The page's address for a search: only what was chosen. */
export function hashOf(search: TraceSearch): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(search)) {
    if (name === 'chaos') {
      if (value) params.set('chaos', '1')
    } else if (value !== '' && !(name === 'since' && value === '60')) params.set(name, String(value))
  }
  if (search.since === '') params.set('since', '')
  const text = params.toString()
  return `#/traces${text ? `?${text}` : ''}`
}

/** What the page says when the store cannot be searched. */
export function storeProblem(answer: Exclude<Answer<unknown>, { kind: 'ok' }>) {
  switch (answer.kind) {
    case 'absent':
      return h(
        'p',
        { 'data-store': 'absent' },
        'This server does not read traces (the compose stack’s gateway): open Grafana → Explore → Tempo.',
      )
    case 'unavailable':
      return h('p', { 'data-store': 'unavailable' }, `No trace store: ${answer.error}.`)
    case 'refused':
      return h('p', { 'data-store': 'refused', class: 'problem' }, answer.message)
    case 'failed':
      return h('p', { 'data-store': 'failed', class: 'problem' }, answer.message)
  }
}

const select = (id: string, value: string, options: readonly (readonly [string, string])[]) =>
  h(
    'select',
    { id, name: id },
    ...options.map(([option, label]) => h('option', { value: option, selected: option === value }, label)),
  )

function searchForm(search: TraceSearch, routes: HTMLDataListElement, again: () => void) {
  const field = (id: string, label: string, control: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), control)
  const service = select('service', search.service, [['', 'any'], ...FLEET_SERVICES.map((s) => [s, s] as const)])
  const route = h('input', { id: 'route', name: 'route', value: search.route, list: 'routes', placeholder: '/orders' })
  const status = select('status', search.status, [
    ['', 'any'],
    ['error', 'error'],
    ['ok', 'ok'],
    ['unset', 'unset'],
  ])
  const number = (id: string, value: string, placeholder: string) =>
    h('input', { id, name: id, type: 'number', min: '0', value, placeholder, inputmode: 'numeric' })
  const min = number('min', search.min, '0')
  const max = number('max', search.max, '')
  const since = select('since', search.since, SINCE)
  const chaos = h('input', { id: 'chaos', name: 'chaos', type: 'checkbox', checked: search.chaos })
  const order = number('order', search.order, '')
  const form = h(
    'form',
    {
      class: 'trace-search',
      'aria-label': 'Search the traces',
      onsubmit: (event: Event) => {
        event.preventDefault()
        const hash = hashOf({
          service: service.value,
          route: route.value.trim(),
          status: status.value,
          min: min.value,
          max: max.value,
          since: since.value,
          chaos: chaos.checked,
          order: order.value,
        })
        // The same search again (new traces since): the address does not change, the list does.
        if (hash === location.hash) again()
        else location.hash = hash
      },
    },
    field('service', 'Service', service),
    field('route', 'Route (contains)', route),
    routes,
    field('status', 'Span status', status),
    field('min', 'Min duration (ms)', min),
    field('max', 'Max duration (ms)', max),
    field('since', 'Time range', since),
    field('order', 'Order id', order),
    h(
      'div',
      { class: 'field check' },
      chaos,
      h('label', { for: 'chaos' }, 'Only traces a fault struck (chaos.injected)'),
    ),
    h('div', { class: 'field submit' }, h('button', { type: 'submit' }, 'Search')),
  )
  return form
}

function openById() {
  const input = h('input', {
    id: 'trace-id',
    name: 'trace-id',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'X-Trace-Id of an answer: 32 hex digits',
  })
  const problem = h('span', { class: 'problem', 'aria-live': 'polite' })
  return h(
    'form',
    {
      class: 'trace-open',
      onsubmit: (event: Event) => {
        event.preventDefault()
        const id = input.value.trim().toLowerCase()
        if (!TRACE_ID.test(id)) {
          problem.textContent = 'A trace id is 32 hex digits, as in X-Trace-Id.'
          return
        }
        location.hash = `#/traces/${id}`
      },
    },
    h('label', { for: 'trace-id' }, 'Open a trace by its id'),
    h('div', { class: 'inline' }, input, h('button', { type: 'submit' }, 'Open')),
    problem,
  )
}

/** One found trace: when, where, its status, a bar for its duration, its fault marker. */
function row(trace: TraceRowView, longest: number) {
  const failed = trace.errors > 0 || (trace.statusCode ?? 0) >= 500
  const status = trace.statusCode === null ? (failed ? 'error' : '—') : String(trace.statusCode)
  const width = Math.max(1, (trace.durationMs / longest) * 100)
  return h(
    'tr',
    { 'data-trace': trace.traceID },
    h('td', { class: 'when', 'data-label': 'At' }, clock(trace.startUnixMs)),
    h('td', { class: 'service' }, h('span', { class: `service-tag svc-${trace.service}` }, trace.service)),
    h(
      'td',
      { class: 'name' },
      h(
        'a',
        { href: `#/traces/${trace.traceID}`, title: `${trace.spans} spans across ${trace.services.join(', ')}` },
        trace.name,
      ),
    ),
    h(
      'td',
      {
        class: `code${failed ? ' failed' : ''}`,
        title: trace.errors > 0 ? `${trace.errors} spans with an error status` : '',
      },
      status,
      trace.errors > 0 ? h('span', { class: 'error-count' }, ` ✗${trace.errors}`) : null,
    ),
    h(
      'td',
      { class: 'duration' },
      h(
        'span',
        { class: 'bar-track' },
        h('span', { class: `bar${failed ? ' failed' : ''}`, style: `width: ${width.toFixed(1)}%` }),
      ),
      h('span', { class: 'ms' }, durationText(trace.durationMs)),
    ),
    h(
      'td',
      { class: 'fault' },
      trace.faults.length > 0 &&
        h(
          'span',
          { class: 'fault-marker', title: `chaos.injected: ${trace.faults.join(', ')}` },
          `⚡ ${trace.faults.join(', ')}`,
        ),
    ),
  )
}

function results(list: TraceList, search: TraceSearch) {
  // An order id search matched every id containing it: only that order's traces are shown.
  const traces = search.order ? list.traces.filter((trace) => trace.orderIds.includes(search.order)) : list.traces
  if (traces.length === 0) {
    return h(
      'p',
      { 'data-found': '0' },
      search.order
        ? `No kept trace names order ${search.order}: tail sampling keeps every trace with an error or a fault and a share of the others, and the store keeps the newest.`
        : 'No trace matches.',
    )
  }
  const longest = Math.max(...traces.map((trace) => trace.durationMs), 1)
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'traces', 'data-found': traces.length },
      h('caption', {}, `${traces.length} ${traces.length === 1 ? 'trace' : 'traces'}, newest first`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['At', 'Service', 'Route', 'Status', 'Duration', 'Fault'].map((title) => h('th', { scope: 'col' }, title)),
        ),
      ),
      h('tbody', {}, ...traces.map((trace) => row(trace, longest))),
    ),
  )
}

export async function tracesView(view: HTMLElement, params: URLSearchParams) {
  const search = searchOf(params)
  const found = h('div', { class: 'found', 'aria-live': 'polite' }, h('p', {}, 'Searching…'))
  // The routes the store has seen, offered as the route field's suggestions once read.
  const routes = h('datalist', { id: 'routes' })
  const find = async () => {
    const list = await getJson<TraceList>(`/api/trace-list?${tempoQuery(search)}`)
    show(found, list.kind === 'ok' ? results(list.data, search) : storeProblem(list))
  }
  const again = () => {
    show(found, h('p', {}, 'Searching…'))
    void find()
  }
  show(
    view,
    h('h1', {}, 'Traces'),
    h('div', { class: 'trace-tools' }, searchForm(search, routes, again), openById()),
    found,
  )
  const [values] = await Promise.all([getJson<{ tagValues: string[] }>('/api/search/tag/http.route/values'), find()])
  if (values.kind === 'ok') show(routes, ...values.data.tagValues.map((value) => h('option', { value })))
}
