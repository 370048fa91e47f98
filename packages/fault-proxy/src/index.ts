export { EDGE_NAMES, EDGES, type EdgeName, edgesSwitchedBy, fleetEdges } from './fleet-edges.ts'
export { FaultProxy, hostAndPort, type ProxyView, type ToxicView } from './proxy.ts'
export {
  REQUEST_TOXICS,
  STREAMS,
  type Stream,
  TOXIC_ATTRIBUTES,
  TOXIC_TYPES,
  type Toxic,
  type ToxicType,
} from './toxics.ts'
export { buildToxiproxyApi, type ProxyPlane } from './toxiproxy-api.ts'
