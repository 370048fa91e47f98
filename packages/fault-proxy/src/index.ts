export { EDGE_NAMES, EDGES, type EdgeName, edgesOf, fleetEdges } from './fleet-edges.ts'
export { FaultProxy, hostAndPort, type ProxyView } from './proxy.ts'
export {
  DEFAULT_ATTRIBUTES,
  STREAMS,
  type Stream,
  TOXIC_ATTRIBUTES,
  TOXIC_TYPES,
  type Toxic,
  type ToxicType,
} from './toxics.ts'
export { buildToxiproxyApi, type ProxyPlane, TOXIPROXY_API_VERSION } from './toxiproxy-api.ts'
