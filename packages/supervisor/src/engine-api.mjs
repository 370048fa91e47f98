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
  // Not in Docker's list (its inspection has it): here too, so the console shows it from one call.
  RestartCount: process.restarts,
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

// Which requests may drive the engine: a copy of packages/fault-proxy/src/request-guard.ts (its
// comment says why each rule), because npm start loads this file before anything is installed;
// packages/fault-proxy/test/request-guard.test.ts holds the two to the same answers.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const BUILT_IN_HOSTS = ['localhost', 'host.docker.internal']
/** @param {string | undefined} text */
export const parseAllowedHosts = (text) =>
  (text ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean)
/** @param {string} host */
const hostNameOf = (host) => {
  const name = host.trim().toLowerCase()
  if (name.startsWith('[')) return name.slice(1, name.indexOf(']') === -1 ? undefined : name.indexOf(']'))
  return name.replace(/:\d*$/, '').replace(/\.$/, '')
}
const isIpv4 = (name) => /^\d{1,3}(\.\d{1,3}){3}$/.test(name)
const isIp = (name) => isIpv4(name) || /^[0-9a-f:.]*:[0-9a-f:.]*$/.test(name)
const isLoopbackName = (name) =>
  name === 'localhost' || name.endsWith('.localhost') || name === '::1' || (isIpv4(name) && name.startsWith('127.'))
const isConfigured = (name, allowed) =>
  [...BUILT_IN_HOSTS, ...allowed].some((entry) =>
    entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry,
  )
const hostAllowed = (host, allowed) => {
  if (host === undefined || host === '') return true
  const name = hostNameOf(host)
  return isLoopbackName(name) || isIp(name) || isConfigured(name, allowed)
}
const originAllowed = (origin, host, allowed) => {
  let url
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (host !== undefined && url.host === host.toLowerCase()) return true
  const name = hostNameOf(url.host)
  return isLoopbackName(name) || isConfigured(name, allowed)
}
/**
 * Why a request is refused (403), or undefined.
 * @param {{ method: string, host?: string, origin?: string }} request
 * @param {readonly string[]} allowed
 */
export function refusalOf(request, allowed) {
  if (!hostAllowed(request.host, allowed)) {
    return {
      code: 'HOST_NOT_ALLOWED',
      message: `Host "${request.host}" is not this lab’s: use localhost or an IP address, or add the name to ALLOWED_HOSTS`,
    }
  }
  if (SAFE_METHODS.has(request.method.toUpperCase()) || request.origin === undefined) return undefined
  if (originAllowed(request.origin, request.host, allowed)) return undefined
  return {
    code: 'ORIGIN_NOT_ALLOWED',
    message: `A page of ${request.origin} may not change anything here: only the lab’s own pages (loopback or ALLOWED_HOSTS) may`,
  }
}

/**
 * Serves the supervisor's API. `refused`: the names of the chaos plane itself (the fault proxy),
 * whose faults are refused; `token`: when set, every change needs it in X-Chaos-Token;
 * `allowedHosts`: the names besides loopback it is reached by (ALLOWED_HOSTS by default).
 * @param {import('./supervisor.mjs').Supervisor} supervisor
 * @param {{ refused?: string[], token?: string, allowedHosts?: string[] }} [options]
 */
export function createEngineApi(supervisor, options = {}) {
  const refused = new Set(options.refused ?? [])
  const allowedHosts = options.allowedHosts ?? parseAllowedHosts(process.env.ALLOWED_HOSTS)
  return createServer(async (request, response) => {
    const send = (status, body) => {
      response.writeHead(status, {
        'api-version': API_VERSION,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      })
      response.end(body === undefined ? undefined : JSON.stringify(body))
    }
    // No web page may drive the processes: DNS rebinding and cross-site changes are refused.
    const refusal = refusalOf(
      { method: request.method ?? 'GET', host: request.headers.host, origin: request.headers.origin },
      allowedHosts,
    )
    if (refusal) return send(403, { message: refusal.message })
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
      else if (verb === 'start') return send((await supervisor.start(name)) ? 204 : 304)
      else return send(405, { message: `GET ${path} is not allowed` })
      return send(204)
    } catch (error) {
      if (error instanceof SupervisorError) return send(error.status, { message: error.message })
      if (error instanceof SyntaxError) return send(400, { message: `filters is not JSON: ${error.message}` })
      return send(500, { message: String(error) })
    }
  })
}
