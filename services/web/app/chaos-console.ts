// The chaos plane's wire shapes, as types only: nothing of them is bundled.
import type { ExperimentRunShownView as ExperimentRun, FaultStateView as FaultState } from '@food/chaos/wire'
import { FLEET_SERVICES, type FleetService } from '@food/config/service-ports'
import { alertsPanel } from './alerts.ts'
import { ApiError, api, messageOf } from './api.ts'
import { orderFigures, REFRESH_MS, stockFigures } from './console-figures.ts'
import { h, show } from './dom.ts'
import { type NetworkState, networkPanel } from './network-map.ts'
import { processRow } from './processes.ts'

interface ChaosState {
  run: ExperimentRun | null
  faults: Record<string, FaultState>
  /** `route` is the path of the fault's switch, e.g. /chaos/delay. */
  available: { name: string; route: string; field: string }[]
  experiment: Record<string, string | number | boolean>
  network: NetworkState
}

type Say = (message: string, kind?: 'error' | 'ok') => void

const TOKEN = 'food.chaosToken'

const describeFault = (fault: FaultState | undefined, now: number) => {
  if (!fault) return 'off'
  const value = typeof fault.value === 'boolean' ? 'on' : String(fault.value)
  if (!fault.expires_at) return `${value}, until cleared`
  return `${value}, ${Math.max(0, Math.round((Date.parse(fault.expires_at) - now) / 1000))} s left`
}

/** The unit a switch's field is in, said after its input: `delay_ms` → ms, `fail_percent` → %. */
const unitOf = (field: string) => (field.endsWith('_ms') ? ' ms' : field.endsWith('_percent') ? ' %' : '')

/** One service's faults: what is in force (refreshed) and a switch with a TTL for each. */
function servicePanel(service: FleetService, say: Say, token: () => string, onState: (state: ChaosState) => void) {
  const body = h('div', {}, h('p', {}, 'Loading…'))
  const panel = h(
    'section',
    { class: 'chaos-service', 'aria-labelledby': `chaos-${service}` },
    h('h2', { id: `chaos-${service}` }, `${service} service`),
    body,
  )
  const inForce = new Map<string, HTMLElement>()
  const process = processRow(service, say, token)
  let built = false

  const change = async (path: string, json: Record<string, unknown>) => {
    try {
      const answer = await api(service, path, {
        json,
        headers: token() ? { 'x-chaos-token': token() } : {},
      })
      say(`${service}: ${answer.message}`, 'ok')
      await refresh()
    } catch (error) {
      say(`${service}: ${messageOf(error)}`, 'error')
    }
  }

  const build = (state: ChaosState) => {
    const rows = state.available.map((fault) => {
      const id = `${service}-${fault.name}`
      const boolean = fault.field === 'enable'
      const input = boolean
        ? h('input', {
            id: `${id}-value`,
            type: 'checkbox',
            checked: true,
            'aria-label': `${service} ${fault.name}: ${fault.field}`,
          })
        : h('input', {
            id: `${id}-value`,
            type: 'number',
            min: '0',
            value: fault.field === 'fail_percent' ? '100' : '500',
            'aria-label': `${service} ${fault.name}: ${fault.field}`,
          })
      const ttl = h('input', {
        id: `${id}-ttl`,
        type: 'number',
        min: '1',
        value: '60',
        'aria-label': `${service} ${fault.name}: seconds before it clears itself`,
      })
      const inForceCell = h('td', {
        class: 'in-force',
        'data-label': 'In force',
        'data-in-force': `${service} ${fault.name}`,
      })
      inForce.set(fault.name, inForceCell)
      const chosenValue = () =>
        boolean ? (input as HTMLInputElement).checked : Number((input as HTMLInputElement).value)
      return h(
        'tr',
        { 'data-fault': fault.name },
        h('th', { scope: 'row', title: `POST ${fault.route} {"${fault.field}": …, "ttl_s": …}` }, fault.name),
        inForceCell,
        h('td', { 'data-label': 'Value' }, input, unitOf(fault.field)),
        h('td', { 'data-label': 'TTL' }, ttl, ' s'),
        h(
          'td',
          { class: 'actions' },
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Set ${service} ${fault.name}`,
              onclick: () => change(fault.route, { [fault.field]: chosenValue(), ttl_s: Number(ttl.value) }),
            },
            'Set',
          ),
          ' ',
          h(
            'button',
            {
              type: 'button',
              'aria-label': `Clear ${service} ${fault.name}`,
              onclick: () => change(fault.route, { [fault.field]: boolean ? false : 0 }),
            },
            'Clear',
          ),
        ),
      )
    })
    const experiment = Object.entries(state.experiment)
    show(
      body,
      process.row,
      experiment.length > 0 &&
        h(
          'p',
          { class: 'experiment' },
          ...experiment.map(([name, value]) =>
            h('span', {}, `${name.replaceAll('_', ' ')}: `, h('strong', {}, String(value)), ' '),
          ),
        ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'faults' },
          h(
            'thead',
            {},
            h('tr', {}, ...['Fault', 'In force', 'Value', 'TTL', ''].map((title) => h('th', { scope: 'col' }, title))),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
    )
    built = true
  }

  const refresh = async () => {
    try {
      const state = await api<ChaosState>(service, '/chaos')
      onState(state)
      if (!built) build(state)
      await process.refresh()
      const now = Date.now()
      for (const [name, cell] of inForce) {
        cell.textContent = describeFault(state.faults[name], now)
        cell.classList.toggle('active', Boolean(state.faults[name]))
      }
    } catch (error) {
      built = false
      inForce.clear()
      show(
        body,
        h(
          'p',
          {},
          error instanceof ApiError && error.status === 404
            ? 'Chaos is off on this service (CHAOS_ENABLED=false).'
            : (error as Error).message,
        ),
      )
    }
  }
  return { panel, refresh }
}

/** The experiment in progress, if a runner says there is one: where it is, its probes' last values. */
function experimentBanner() {
  const body = h('div', { 'aria-live': 'polite' })
  const panel = h('section', { class: 'experiment-run', 'aria-labelledby': 'run-title', hidden: true }, body)
  const showRun = (run: ExperimentRun | null) => {
    panel.hidden = run === null
    if (!run) return show(body)
    show(
      body,
      h('h2', { id: 'run-title' }, 'Experiment in progress: ', run.title),
      h(
        'p',
        { 'data-figure': 'run-step' },
        `${run.step} · ${run.phase} phase · ${run.elapsed_s.toFixed(0)} s`,
        run.deviated ? h('strong', { class: 'invariant broken' }, ' · the hypothesis has not held') : '',
      ),
      h(
        'table',
        { class: 'probes' },
        h('caption', {}, 'The hypothesis’ probes, last checked'),
        h('thead', {}, h('tr', {}, ...['Probe', 'Value', ''].map((title) => h('th', { scope: 'col' }, title)))),
        h(
          'tbody',
          {},
          ...run.probes.map((probe) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, probe.name),
              h('td', {}, probe.value),
              h(
                'td',
                {
                  'aria-label':
                    probe.met === null ? 'not checked yet' : probe.met ? 'within tolerance' : 'not within tolerance',
                },
                probe.met === null ? '…' : probe.met ? '✓' : '✗',
              ),
            ),
          ),
        ),
      ),
    )
  }
  return { panel, showRun }
}

export function chaosConsoleView(view: HTMLElement, say: Say): () => void {
  const tokenInput = h('input', {
    id: 'chaos-token',
    type: 'password',
    autocomplete: 'off',
    value: sessionStorage.getItem(TOKEN) ?? '',
  })
  tokenInput.addEventListener('change', () => sessionStorage.setItem(TOKEN, tokenInput.value))
  const token = () => tokenInput.value
  const banner = experimentBanner()
  const network = networkPanel(say, token)
  const panels = FLEET_SERVICES.map((service) =>
    servicePanel(service, say, token, (state) => {
      // Every service is told of the run; the order service's word is shown.
      if (service === 'order') banner.showRun(state.run)
      network.update(service, state.network)
    }),
  )
  const alerts = alertsPanel()
  const orders = orderFigures()
  const stock = stockFigures()
  show(
    view,
    h('h1', {}, 'Chaos console'),
    h(
      'form',
      { class: 'token', onsubmit: (event: Event) => event.preventDefault() },
      h('label', { for: 'chaos-token' }, 'Chaos token (only where the fleet has one: X-Chaos-Token)'),
      tokenInput,
    ),
    banner.panel,
    alerts.panel,
    h('div', { class: 'chaos-grid' }, ...panels.map((panel) => panel.panel)),
    network.panel,
    h('div', { class: 'live' }, orders.panel, stock.panel),
  )
  const refreshAll = () =>
    Promise.allSettled([...panels.map((panel) => panel.refresh()), alerts.refresh(), orders.refresh(), stock.refresh()])
  void refreshAll()
  const timer = setInterval(refreshAll, REFRESH_MS)
  return () => clearInterval(timer)
}
