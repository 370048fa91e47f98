// The supervisor's control API: the part of the Docker Engine API a chaos tool uses on
// containers (list, inspect, kill, pause, unpause, restart, start), with Docker's paths, status codes and
// `{"message": …}` errors, so the experiment runner speaks one dialect to `npm start` and to a
// real engine under compose. Node built-ins only.
import { createServer } from 'node:http'
import { SupervisorError } from './supervisor.mjs'

const API_VERSION = '1.41'
const PROJECT = 'food-delivery'

/** Docker's status words for a state. */
const STATUS = { created: 'Created', running: 'Up', paused: 'Up (Paused)', restarting: 'Restarting', exited: 'Exited' }

const summary = (process) => ({
  Id: process.name,
  Names: [`/${process.name}`],
  Image: `${PROJECT}/${process.name}`,
  State: process.state,
  Status: `${STATUS[process.state]}${process.state === 'exited' ? ` (${process.exitCode})` : ''}`,
  Created: Math.floor((process.startedAt?.getTime() ?? 0) / 1000),
  Labels: { 'com.docker.compose.project': PROJECT, 'com.docker.compose.service': process.name },
})

const inspection = (process) => ({
  Id: process.name,
  Name: `/${process.name}`,
  RestartCount: process.restarts,
  State: {
    Status: process.state,
    Running: process.state === 'running' || process.state === 'paused',
    Paused: process.state === 'paused',
    Restarting: process.state === 'restarting',
    Pid: process.pid ?? 0,
    ExitCode: process.exitCode ?? 0,
    StartedAt: process.startedAt?.toISOString(),
  },
  Config: { Labels: summary(process).Labels },
})

/** `filters={"label":["k=v"],"name":["n"]}` of GET /containers/json, as Docker reads it. */
function matches(filters, process) {
  const labels = summary(process).Labels
  const byLabel = (filters.label ?? []).every((rule) => {
    const [key, value] = rule.split('=')
    return value === undefined ? key in labels : labels[key] === value
  })
  const byName = (filters.name ?? []).every((name) => process.name.includes(name.replace(/^\//, '')))
  return byLabel && byName
}

const number = (text, fallback) => (text === null ? fallback : Number(text))

/**
 * Serves the supervisor's API. `refused`: the names of the chaos plane itself (the fault proxy),
 * whose faults are refused; `token`: when set, every change needs it in X-Chaos-Token.
 * @param {import('./supervisor.mjs').Supervisor} supervisor
 * @param {{ refused?: string[], token?: string }} [options]
 */
export function createEngineApi(supervisor, options = {}) {
  const refused = new Set(options.refused ?? [])
  return createServer(async (request, response) => {
    const send = (status, body) => {
      response.writeHead(status, {
        'api-version': API_VERSION,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      })
      response.end(body === undefined ? undefined : JSON.stringify(body))
    }
    try {
      const url = new URL(request.url ?? '/', 'http://engine')
      // Docker's clients put the API version first: /v1.41/containers/json.
      const path = url.pathname.replace(/^\/v\d+\.\d+(?=\/)/, '')
      if (request.method === 'GET' && path === '/_ping') {
        response.writeHead(200, { 'api-version': API_VERSION, 'content-type': 'text/plain' })
        return response.end('OK')
      }
      if (request.method === 'GET' && path === '/containers/json') {
        const filters = JSON.parse(url.searchParams.get('filters') ?? '{}')
        const all = url.searchParams.get('all') === '1' || url.searchParams.get('all') === 'true'
        const listed = supervisor
          .list()
          .filter((process) => (all || process.state !== 'exited') && matches(filters, process))
        return send(200, listed.map(summary))
      }
      const route = /^\/containers\/([^/]+)\/(json|kill|pause|unpause|restart|start)$/.exec(path)
      if (!route) return send(404, { message: `page not found: ${request.method} ${path}` })
      const name = decodeURIComponent(route[1])
      const verb = route[2]
      if (verb === 'json' && request.method === 'GET') return send(200, inspection(supervisor.inspect(name)))
      if (request.method !== 'POST') return send(405, { message: `${request.method} is not allowed on ${path}` })
      if (refused.has(name)) {
        return send(403, { message: `${name} is the chaos plane itself: its faults are refused` })
      }
      if (options.token && request.headers['x-chaos-token'] !== options.token) {
        return send(401, { message: 'a change needs the fleet’s chaos token in X-Chaos-Token' })
      }
      request.resume() // Docker's clients may send an empty body
      if (verb === 'kill') supervisor.kill(name, url.searchParams.get('signal') ?? 'SIGKILL')
      else if (verb === 'pause') supervisor.pause(name, number(url.searchParams.get('ttl_s'), undefined))
      else if (verb === 'unpause') supervisor.unpause(name)
      else if (verb === 'restart') await supervisor.restart(name, number(url.searchParams.get('t'), 10))
      else if (verb === 'start') return send(supervisor.start(name) ? 204 : 304)
      else return send(405, { message: `GET ${path} is not allowed` })
      return send(204)
    } catch (error) {
      if (error instanceof SupervisorError) return send(error.status, { message: error.message })
      if (error instanceof SyntaxError) return send(400, { message: `filters is not JSON: ${error.message}` })
      return send(500, { message: String(error) })
    }
  })
}
