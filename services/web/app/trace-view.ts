// One trace: its waterfall across the services and their PostgreSQL and Redis calls (a span's
// attributes and events on click), and the services' log lines of the trace, joined by trace_id.
import type { LogLine, LogsAnswer } from '../src/logs.ts'
import {
  CHAOS_EVENT,
  type FlatSpan,
  type FlatTrace,
  flatten,
  type ResourceSpans,
  type Scalar,
  tree,
} from '../src/otlp.ts'
import { h, show } from './dom.ts'
import { clock, durationText, getJson } from './server-api.ts'
import { storeProblem } from './traces.ts'

// While the store still waits for a trace's last spans (it decides a few seconds after), or has
// none of it yet (each service sends its spans every few seconds: OTEL_BSP_SCHEDULE_DELAY, 5 s by
// default), the page reads it again.
const PENDING_REFRESH_MS = 2000
const PENDING_REFRESHES = 15
const NOT_YET_REFRESHES = 8

/** Log fields shown in their own columns, or that only repeat the trace. */
const SHOWN_FIELDS = new Set([
  'level',
  'time',
  'service',
  'msg',
  'trace_id',
  'span_id',
  'trace_flags',
  'pid',
  'hostname',
])

const valueText = (value: Scalar) => (value === null ? 'null' : String(value))

/**
 * A span's name as the waterfall shows it: a call to another service (undici names it by its
 * method alone, `POST`) with the path it called, `POST /validate`.
 */
export function shownName(span: FlatSpan): string {
  const path = span.attributes['url.path']
  return span.kind === 'client' && /^[A-Z]+$/.test(span.name) && typeof path === 'string'
    ? `${span.name} ${path}`
    : span.name
}

/** `18:43:11.278`: a log line's time to the millisecond. */
const preciseClock = (time: string) => {
  const at = Date.parse(time)
  if (Number.isNaN(at)) return time
  return `${clock(at)}.${String(at % 1000).padStart(3, '0')}`
}

function attributeTable(caption: string, attributes: Record<string, Scalar>) {
  const entries = Object.entries(attributes)
  if (entries.length === 0) return null
  return h(
    'table',
    { class: 'attributes' },
    h('caption', {}, caption),
    h(
      'tbody',
      {},
      ...entries.map(([key, value]) => h('tr', {}, h('th', { scope: 'row' }, key), h('td', {}, valueText(value)))),
    ),
  )
}

/** What a span holds: status, ids, its attributes, its events (a fault's marked), its service's resource. */
function spanDetails(span: FlatSpan) {
  return h(
    'div',
    { class: 'span-details', 'data-span-details': span.spanId },
    h(
      'p',
      {},
      h('strong', {}, shownName(span)),
      ` · ${span.service} · ${span.kind} · ${durationText(span.durationMs)} from +${durationText(span.startMs)}`,
      span.error
        ? h('span', { class: 'problem' }, ` · error${span.statusMessage ? `: ${span.statusMessage}` : ''}`)
        : '',
    ),
    h(
      'p',
      { class: 'quiet' },
      `span ${span.spanId}${span.parentSpanId ? ` · parent ${span.parentSpanId}` : ' · root'} · ${span.scope}`,
    ),
    attributeTable('Attributes', span.attributes),
    span.events.length > 0 &&
      h(
        'ul',
        { class: 'events' },
        ...span.events.map((event) =>
          h(
            'li',
            { class: event.name === CHAOS_EVENT ? 'event fault' : 'event', 'data-event': event.name },
            h('strong', {}, event.name),
            ` at +${durationText(event.atMs)}`,
            Object.keys(event.attributes).length > 0
              ? ` · ${Object.entries(event.attributes)
                  .map(([key, value]) => `${key}=${valueText(value)}`)
                  .join(' · ')}`
              : '',
          ),
        ),
      ),
    h(
      'details',
      {},
      h('summary', {}, 'Resource (the service’s process)'),
      attributeTable('Resource attributes', span.resource),
    ),
  )
}

/** The time axis: a tick at every quarter of the trace. */
const axis = (durationMs: number) =>
  h(
    'div',
    { class: 'waterfall-axis', 'aria-hidden': 'true' },
    h('span', {}),
    h(
      'span',
      { class: 'ticks' },
      ...[0, 0.25, 0.5, 0.75, 1].map((at) =>
        h('span', { class: 'tick', style: `left: ${at * 100}%` }, durationText(durationMs * at)),
      ),
    ),
  )

function waterfall(trace: FlatTrace, selectSpan: (span: FlatSpan | undefined) => void) {
  const total = Math.max(trace.durationMs, 0.001)
  const rows = tree(trace.spans).map(({ span, depth }) => {
    const left = (span.startMs / total) * 100
    const width = Math.max((span.durationMs / total) * 100, 0.3)
    const faults = span.events.filter((event) => event.name === CHAOS_EVENT)
    const button = h(
      'button',
      {
        type: 'button',
        class: `span-row${span.error ? ' failed' : ''}${faults.length > 0 ? ' struck' : ''}`,
        'aria-expanded': 'false',
        'data-span': span.spanId,
        'data-service': span.service,
        title: `${span.service} · ${shownName(span)} · ${durationText(span.durationMs)}`,
      },
      h(
        'span',
        { class: 'span-name', style: `padding-left: ${Math.min(depth, 12) * 0.8}rem` },
        h('span', { class: `service-dot svc-${span.service}`, 'aria-hidden': 'true' }),
        h('span', { class: 'span-service' }, span.service),
        ' ',
        shownName(span),
      ),
      h(
        'span',
        { class: 'span-track' },
        h('span', {
          class: `span-bar svc-${span.service}${span.error ? ' failed' : ''}`,
          style: `left: ${left.toFixed(3)}%; width: ${width.toFixed(3)}%`,
        }),
        ...span.events.map((event) =>
          h('span', {
            class: `span-event${event.name === CHAOS_EVENT ? ' fault' : ''}`,
            style: `left: ${((event.atMs / total) * 100).toFixed(3)}%`,
            title: event.name,
          }),
        ),
        h(
          'span',
          {
            class: 'span-ms',
            style: left > 70 ? `right: ${(100 - left).toFixed(3)}%` : `left: ${(left + width).toFixed(3)}%`,
          },
          durationText(span.durationMs),
          faults.length > 0 ? ' ⚡' : '',
        ),
      ),
    )
    const item = h('li', {}, button)
    button.addEventListener('click', () => {
      const open = button.getAttribute('aria-expanded') === 'true'
      selectSpan(open ? undefined : span)
    })
    return { span, item, button }
  })
  const list = h(
    'ol',
    { class: 'waterfall', 'aria-label': 'Spans, each under its parent' },
    ...rows.map((row) => row.item),
  )
  /** Opens one span's details under its row (and closes the others). */
  const open = (spanId: string | undefined) => {
    for (const { span, item, button } of rows) {
      const isOpen = span.spanId === spanId
      button.setAttribute('aria-expanded', String(isOpen))
      item.querySelector('.span-details')?.remove()
      if (isOpen) item.append(spanDetails(span))
    }
  }
  return { element: h('div', { class: 'waterfall-box' }, axis(total), list), open }
}

function logTable(lines: LogLine[], selectSpan: (spanId: string) => void) {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'log-lines' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Time', 'Service', 'Level', 'Message'].map((title) => h('th', { scope: 'col' }, title))),
      ),
      h(
        'tbody',
        {},
        ...lines.map((line) => {
          const extra = Object.entries(line.fields).filter(([key]) => !SHOWN_FIELDS.has(key))
          return h(
            'tr',
            { class: `log-line ${line.level}`, 'data-log-span': line.span_id ?? '' },
            h('td', { class: 'when' }, preciseClock(line.time)),
            h('td', {}, h('span', { class: `service-tag svc-${line.service}` }, line.service)),
            h('td', { class: `level ${line.level}` }, line.level),
            h(
              'td',
              { class: 'msg' },
              line.span_id
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: 'link',
                      title: 'Show its span',
                      onclick: () => selectSpan(line.span_id ?? ''),
                    },
                    line.msg,
                  )
                : line.msg,
              extra.length > 0 &&
                h(
                  'span',
                  { class: 'log-fields' },
                  ` ${extra.map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' ')}`,
                ),
            ),
          )
        }),
      ),
    ),
  )
}

function logsSection(answer: Awaited<ReturnType<typeof getJson<LogsAnswer>>>, selectSpan: (spanId: string) => void) {
  if (answer.kind === 'absent') return h('p', {}, 'This server does not read the services’ log files.')
  if (answer.kind === 'unavailable') return h('p', { 'data-logs': 'unavailable' }, `No log lines: ${answer.error}.`)
  if (answer.kind !== 'ok') return h('p', { class: 'problem' }, answer.message)
  const logs = answer.data
  if (!logs.reachable) return h('p', {}, logs.error)
  const searched = logs.services
    .map((service) =>
      service.found
        ? `${service.service} from ${service.searched_from ? clock(Date.parse(service.searched_from)) : 'its start'}`
        : `${service.service}: no log file`,
    )
    .join(' · ')
  return h(
    'div',
    {},
    logs.lines.length === 0
      ? h('p', { 'data-logs': '0' }, 'No log line of this trace in the newest part of the log files.')
      : logTable(logs.lines, selectSpan),
    h(
      'p',
      { class: 'quiet' },
      `Read the newest 4 MB of each service’s log file (${searched})${logs.truncated ? '; the first 1,000 lines shown' : ''}.`,
    ),
  )
}

export function traceView(view: HTMLElement, traceId: string): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let refreshes = 0
  let notYet = 0
  let selected: string | undefined
  const body = h('div', {}, h('p', {}, 'Loading…'))
  const logs = h('section', { class: 'logs', 'aria-labelledby': 'logs-title' })
  show(
    view,
    h('p', { class: 'back' }, h('a', { href: '#/traces' }, '← Traces')),
    h('h1', { class: 'trace-title' }, 'Trace ', h('code', {}, traceId)),
    body,
    logs,
  )
  let openSpan: (spanId: string | undefined) => void = () => {}
  const selectSpan = (span: FlatSpan | undefined) => {
    selected = span?.spanId
    openSpan(selected)
    for (const line of logs.querySelectorAll('tr.log-line')) {
      line.classList.toggle('selected', selected !== undefined && line.getAttribute('data-log-span') === selected)
    }
  }
  const selectById = (spanId: string) => {
    const button = view.querySelector<HTMLElement>(`[data-span="${CSS.escape(spanId)}"]`)
    if (!button) return
    button.click()
    button.scrollIntoView({ block: 'center' })
  }
  const load = async () => {
    const [found, lines] = await Promise.all([
      getJson<{ batches: ResourceSpans[] }>(`/api/traces/${traceId}`),
      getJson<LogsAnswer>(`/api/logs?trace_id=${traceId}`),
    ])
    if (found.kind !== 'ok') {
      const waiting = found.kind === 'refused' && found.code === 'TRACE_NOT_FOUND' && notYet < NOT_YET_REFRESHES
      show(
        body,
        waiting
          ? h(
              'p',
              { 'data-store': 'not-yet' },
              'Not in the trace store yet: each service sends its spans every few seconds. Looking again…',
            )
          : storeProblem(found),
      )
      show(logs, h('h2', { id: 'logs-title' }, 'Log lines'), logsSection(lines, selectById))
      if (waiting) {
        notYet++
        timer = setTimeout(() => void load(), PENDING_REFRESH_MS)
      }
      return
    }
    const trace = flatten(found.data.batches)
    const pending = found.headers.get('x-trace-store-state') === 'pending'
    const services = [...new Set(trace.spans.map((span) => span.service))]
    const root = tree(trace.spans)[0]?.span
    const drawn = waterfall(trace, (span) => selectSpan(span))
    openSpan = drawn.open
    const errors = trace.spans.filter((span) => span.error).length
    const struck = trace.spans.filter((span) => span.events.some((event) => event.name === CHAOS_EVENT)).length
    show(
      body,
      h(
        'p',
        { class: 'trace-summary', 'data-services': services.join(' ') },
        h('strong', {}, root?.name ?? ''),
        ` · ${durationText(trace.durationMs)} · ${trace.spans.length} spans · ${services.join(', ')} · at ${clock(trace.startUnixMs)}`,
        errors > 0 ? h('span', { class: 'problem' }, ` · ${errors} with an error status`) : '',
        struck > 0
          ? h('span', { class: 'fault-marker' }, ` · ⚡ a fault struck ${struck === 1 ? 'a span' : `${struck} spans`}`)
          : '',
      ),
      pending &&
        h(
          'p',
          { class: 'quiet', 'data-pending': 'true' },
          'Its spans are still arriving: the store decides whether to keep it a few seconds after the last one.',
        ),
      h('p', { class: 'quiet' }, 'Select a span for its attributes and events.'),
      drawn.element,
    )
    show(logs, h('h2', { id: 'logs-title' }, 'Log lines'), logsSection(lines, selectById))
    if (selected) selectSpan(trace.spans.find((span) => span.spanId === selected))
    if (pending && refreshes < PENDING_REFRESHES) {
      refreshes++
      timer = setTimeout(() => void load(), PENDING_REFRESH_MS)
    }
  }
  void load()
  return () => clearTimeout(timer)
}
