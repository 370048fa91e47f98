// Loaded into every Node process of a test run (NODE_OPTIONS=--import, set by the root vitest
// config): a connection to a port of the fleet `npm start` runs on this machine fails, and is
// written down for the run to fail on. A user may have that fleet running while `npm test` runs;
// a test that reached it would clear its faults or read its figures (#36). Node built-ins only.
import { appendFileSync } from 'node:fs'
import net from 'node:net'

/** The ports `npm start` listens on: the services, the web server, the fault proxy's and the process API's. */
export const FLEET_PORTS = [8001, 8002, 8003, 8090, 8474, 8475, 9090, 9093, 9095, 3200, 4318]
const LOOPBACK = new Set(['localhost', '::1', '[::1]', '0.0.0.0', '::', '::ffff:127.0.0.1'])
const isLoopback = (host) => LOOPBACK.has(host.toLowerCase()) || /^127\./.test(host)
const LOG = process.env.FLEET_PORT_GUARD_LOG

/** `net.Socket#connect`'s arguments as host and port: (options), (port, host?), (path) alike. */
function destinationOf(args) {
  const [first, second] = Array.isArray(args[0]) ? args[0] : args
  if (first !== null && typeof first === 'object') return { host: first.host ?? 'localhost', port: first.port }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first)))
    return { host: typeof second === 'string' ? second : 'localhost', port: first }
  return undefined
}

const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function guardedConnect(...args) {
  const destination = destinationOf(args)
  const port = Number(destination?.port)
  if (destination && isLoopback(String(destination.host)) && FLEET_PORTS.includes(port)) {
    const message = `a test connected to ${destination.host}:${port}, a port of the fleet npm start runs (pid ${process.pid}: ${process.argv.slice(1).join(' ')})`
    if (LOG) appendFileSync(LOG, `${message}\n`)
    const error = Object.assign(new Error(`port guard: ${message}`), { code: 'ECONNREFUSED' })
    process.nextTick(() => this.destroy(error))
    return this
  }
  return connect.apply(this, args)
}
