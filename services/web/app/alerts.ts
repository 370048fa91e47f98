// The console's "Firing alerts" panel: what Prometheus fires and has pending, read through the web server.
import type { AlertsView, ShownAlert } from '../src/alerts-wire.ts'
import { h, show } from './dom.ts'

const INSTALL = 'apt-get install prometheus prometheus-alertmanager'
// Labels the panel says otherwise (its name, its severity tag) or that repeat another.
const UNSHOWN_LABELS = new Set(['alertname', 'severity', 'sloth_severity', 'sloth_id'])

/** Prometheus' graph page with `expr` in its first panel, as its own links write it. */
export const graphUrl = (prometheus: string, expr: string) =>
  `${prometheus}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0`

/** `42 s`, `3 min`, `2 h 5 min`: how long since `activeAt`. */
export function activeFor(activeAt: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(activeAt)) / 1000))
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** `2 firing · 1 pending`, or `none`. */
export function countWords(alerts: ShownAlert[]): string {
  const firing = alerts.filter((alert) => alert.state === 'firing').length
  const parts = [firing && `${firing} firing`, alerts.length - firing && `${alerts.length - firing} pending`]
  return parts.filter(Boolean).join(' · ') || 'none'
}

/** Which alert is which from one refresh to the next (its labels): a runbook opened stays open. */
const keyOf = (alert: ShownAlert) => JSON.stringify(alert.labels)

/** A paragraph of the runbook, its `code` spans as code. */
const paragraphOf = (text: string) =>
  h('p', {}, ...text.split('`').map((part, i) => (i % 2 === 1 ? h('code', {}, part) : part)))

/** The runbook: its text from docs/alerts.md folded under its address, a link when it is one, or the address. */
function runbookOf(alert: ShownAlert, open: Set<string>) {
  const url = alert.runbook_url
  if (!url) return null
  if (/^https?:\/\//.test(url)) return h('p', {}, h('a', { href: url, target: '_blank', rel: 'noopener' }, 'Runbook'))
  if (!alert.runbook) return h('p', { class: 'quiet' }, `Runbook: ${url}`)
  const key = keyOf(alert)
  return h(
    'details',
    {
      class: 'runbook',
      open: open.has(key),
      ontoggle: (event: Event) => {
        if ((event.target as HTMLDetailsElement).open) open.add(key)
        else open.delete(key)
      },
    },
    h('summary', {}, `Runbook (${url})`),
    ...alert.runbook.split('\n\n').map(paragraphOf),
  )
}

function alertItem(alert: ShownAlert, prometheus: string, open: Set<string>, now: number) {
  const labels = Object.entries(alert.labels).filter(([name]) => !UNSHOWN_LABELS.has(name))
  const since = new Date(alert.active_at).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
  return h(
    'li',
    { class: `alert ${alert.state}`, 'data-alert': alert.name, 'data-severity': alert.severity ?? '' },
    h(
      'p',
      { class: 'alert-title' },
      h('span', { class: `severity ${alert.severity ?? ''}` }, alert.severity ?? 'no severity'),
      ' ',
      h('strong', {}, alert.name),
      ' ',
      h(
        'span',
        { class: 'quiet', 'data-since': alert.name, title: alert.active_at },
        `${alert.state} · active ${activeFor(alert.active_at, now)}, since ${since}`,
      ),
    ),
    alert.summary && h('p', { class: 'summary' }, alert.summary),
    alert.description && h('p', { class: 'quiet' }, alert.description),
    labels.length > 0 && h('p', { class: 'quiet alert-labels' }, labels.map(([k, v]) => `${k}=${v}`).join(' · ')),
    h(
      'p',
      {},
      h(
        'a',
        { href: graphUrl(prometheus, alert.expr), target: '_blank', rel: 'noopener', title: alert.expr },
        'Graph its expression in Prometheus ↗',
      ),
    ),
    runbookOf(alert, open),
  )
}

/** What the panel says when Prometheus' alerts cannot be shown: why, and what to do. */
function unavailable(view: AlertsView | undefined) {
  if (!view) {
    // The compose stack's gateway serves the page without the web server's /api/alerts.
    return h('p', {}, 'This server does not read Prometheus’ alerts: see Prometheus’ own /alerts page, or Grafana.')
  }
  return h(
    'p',
    { 'data-prometheus': 'unreachable', title: view.error ?? '' },
    `Prometheus is not running at ${view.prometheus} (npm start runs it when installed: `,
    h('code', {}, INSTALL),
    ').',
  )
}

/** The panel, and what reads the alerts again (the console's refresh, every 2 s). */
export function alertsPanel() {
  const count = h('span', { class: 'count', 'aria-live': 'polite' })
  const body = h('div', {}, h('p', {}, 'Loading…'))
  const open = new Set<string>()
  const setCount = (text: string) => {
    if (count.textContent !== text) count.textContent = text
  }
  const refresh = async () => {
    let view: AlertsView | undefined
    try {
      const response = await fetch('/api/alerts', { headers: { accept: 'application/json' } })
      view = response.ok ? ((await response.json()) as AlertsView) : undefined
    } catch {
      return show(body, h('p', {}, 'The web server did not answer.'))
    }
    if (!view?.reachable) {
      setCount('')
      return show(body, unavailable(view))
    }
    setCount(countWords(view.alerts))
    const { prometheus, alerts } = view
    if (alerts.length === 0) {
      const page = h('a', { href: `${prometheus}/alerts`, target: '_blank', rel: 'noopener' }, 'its alerts page')
      return show(body, h('p', {}, 'Nothing fires or is pending in Prometheus (', page, ').'))
    }
    const now = Date.now()
    show(body, h('ul', { class: 'alert-list' }, ...alerts.map((alert) => alertItem(alert, prometheus, open, now))))
  }
  const panel = h(
    'section',
    { class: 'alerts', 'aria-labelledby': 'alerts-title' },
    h('h2', { id: 'alerts-title' }, 'Firing alerts ', count),
    body,
  )
  return { panel, refresh }
}
