// GET /api/service-map's answer, as types only: the web server makes it, the Service map page draws it.

/** Rate, error ratio and p95 over the last minute, and where they come from. */
export interface Figures {
  /** Per second. */
  rate: number
  /** Share of the calls that failed (5xx, a timeout, no answer; for PostgreSQL and Redis, an error status); null: no call. */
  error_ratio: number | null
  p95_ms: number | null
  /** Prometheus, the web server's own scrapes, or the trace store's kept traces (weighted by the share kept). */
  source: 'prometheus' | 'scrapes' | 'spans'
}

export type NodeId = 'gateway' | 'user' | 'restaurant' | 'order' | 'postgres' | 'redis'

export interface MapNode {
  id: NodeId
  label: string
  kind: 'gateway' | 'service' | 'database'
  /** Whether it answers: a service its GET /chaos, a database the services' readiness checks; null: not known. */
  up: boolean | null
  /** Why it is down or not known. */
  reason?: string
  /** A service's chaos switches in force. */
  faults: { name: string; value: string; expires_at: string | null }[]
  /** What a service served (its server side); null for the gateway and the databases. */
  figures: Figures | null
}

export interface MapEdge {
  /** The fault proxy's name of the edge: `order-restaurant`, `user-postgres`, `gateway-order`. */
  id: string
  from: NodeId
  to: NodeId
  /**
   * `healthy`; `fault` (a toxic: latency, resets…); `down` (the edge disabled, or its far end not
   * answering); `direct` (no fault proxy on it); `unknown` (its service did not say).
   */
  state: 'healthy' | 'fault' | 'down' | 'direct' | 'unknown'
  /** The state in words: `latency 300 ms`, `down`, `restaurant does not answer`. */
  detail: string
  figures: Figures | null
}

export interface ServiceMapView {
  /** The figures' window, in seconds. */
  window_s: number
  at: string
  metrics: {
    source: 'prometheus' | 'scrapes' | 'none'
    prometheus: { url: string; reachable: boolean; error?: string }
  }
  spans: {
    store: string | null
    reachable: boolean
    error?: string
    /** Kept traces read, and the share of the other traces the store keeps (the weight of each). */
    traces: number
    share: number | null
  }
  nodes: MapNode[]
  edges: MapEdge[]
}
