/**
 * The fault proxy as a process (`npm start` runs it before the services): one proxy per edge of
 * the fleet (FAULT_PROXY_FLEET: where user, restaurant, postgres and redis really listen, as JSON;
 * see fleet-edges.ts), Toxiproxy's API on FAULT_PROXY_API (127.0.0.1:8474 by default) and the
 * edges on FAULT_PROXY_HOST (127.0.0.1 by default): loopback unless told, as in a container, where
 * the compose network is what reaches them. ALLOWED_HOSTS: the names besides loopback the API is
 * reached by (request-guard.ts). Each change logged as a line of JSON.
 */
import { type FleetAddresses, fleetEdges } from './fleet-edges.ts'
import { FaultProxy, hostAndPort } from './proxy.ts'
import { parseAllowedHosts } from './request-guard.ts'
import { buildToxiproxyApi } from './toxiproxy-api.ts'

const log = (msg: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'fault-proxy', msg, ...fields }))

const edges = fleetEdges(
  JSON.parse(process.env.FAULT_PROXY_FLEET ?? '{}') as FleetAddresses,
  process.env.FAULT_PROXY_HOST ?? '127.0.0.1',
)
const proxies = new Map<string, FaultProxy>()
for (const edge of edges) {
  const proxy = new FaultProxy(edge)
  await proxy.enable()
  proxies.set(edge.name, proxy)
}
const api = buildToxiproxyApi({
  proxies,
  onChange: (change) => log(change),
  allowedHosts: parseAllowedHosts(process.env.ALLOWED_HOSTS),
})
const { host, port } = hostAndPort(process.env.FAULT_PROXY_API ?? '127.0.0.1:8474')
await api.listen({ host, port })
log('fault proxy ready', {
  api: `http://${host}:${port}`,
  edges: edges.map((edge) => `${edge.name} ${edge.listen} → ${edge.upstream}`),
})

const stop = async () => {
  await api.close()
  process.exit(0)
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
