import type { FleetService } from '@food/config/service-ports'
import { h, show } from './dom.ts'

/** A service's process as npm start's supervisor tells it (Docker's GET /containers/{id}/json). */
interface Inspection {
  RestartCount: number
  State: { Status: string; Pid: number }
}

type Say = (message: string, kind?: 'error' | 'ok') => void

/** `running, pid 123, restarted twice`: a process in words. */
export function describeProcess({ State, RestartCount }: Inspection): string {
  const restarts = RestartCount === 0 ? '' : `, restarted ${RestartCount === 1 ? 'once' : `${RestartCount} times`}`
  return `${State.Status}${State.Pid ? `, pid ${State.Pid}` : ''}${restarts}`
}

const engine = async (path: string, method: 'GET' | 'POST', token: string) => {
  const response = await fetch(`/api/engine${path}`, {
    method,
    headers: token ? { 'x-chaos-token': token } : {},
  })
  const text = await response.text()
  const body = text ? JSON.parse(text) : undefined
  if (!response.ok) throw new Error(body?.message ?? `${response.status}`)
  return body
}

/**
 * A service's process under npm start's supervisor: its state, and switches to kill it (SIGKILL,
 * the supervisor starts it again), pause it for 10 s (SIGSTOP, SIGCONT) and restart it.
 */
export function processRow(service: FleetService, say: Say, token: () => string) {
  const state = h('span', { 'data-process': service }, '…')
  const act = async (verb: string, query = '') => {
    try {
      await engine(`/containers/${service}/${verb}${query}`, 'POST', token())
      say(`${service}: ${verb} sent to its process`, 'ok')
      await refresh()
    } catch (error) {
      say(`${service}: ${(error as Error).message}`, 'error')
    }
  }
  const button = (label: string, verb: string, query = '') =>
    h(
      'button',
      { type: 'button', 'aria-label': `${label} the ${service} process`, onclick: () => act(verb, query) },
      label,
    )
  const row = h(
    'p',
    { class: 'process' },
    'Process: ',
    state,
    ' ',
    button('Kill', 'kill'),
    ' ',
    button('Pause 10 s', 'pause', '?ttl_s=10'),
    ' ',
    button('Restart', 'restart'),
  )
  const refresh = async () => {
    try {
      show(state, describeProcess(await engine(`/containers/${service}/json`, 'GET', '')))
      row.hidden = false
    } catch {
      // No supervisor (the compose stack, or a service started by hand): nothing to switch here.
      row.hidden = true
    }
  }
  return { row, refresh }
}
