// The fleet's network edges as a service's GET /chaos shows them (`network.edges`), and how they
// are said: one module for the console's map, the service map and the charts' fault windows.

/** One edge: up or down, and its toxics. */
export interface EdgeState {
  enabled: boolean
  toxics: { name: string; type: string; stream: string; toxicity: number; attributes: Record<string, number> }[]
}

/** The `network` part of GET /chaos: its edges, why they could not be read, or null (no fault proxy). */
export type NetworkState = { edges: Record<string, EdgeState> } | { error: string } | null

/** What an edge suffers, in words: `down`, `latency 400 ms`, `reset_peer`, or `healthy`. */
export function describeEdge(state: EdgeState): string {
  if (!state.enabled) return 'down'
  if (state.toxics.length === 0) return 'healthy'
  return state.toxics
    .map((toxic) => {
      const [first] = Object.entries(toxic.attributes).filter(([, value]) => value > 0)
      const unit = first && ['latency', 'jitter', 'delay', 'timeout'].includes(first[0]) ? ' ms' : ''
      const strength = first ? ` ${first[1]}${unit}` : ''
      const chance = toxic.toxicity < 1 ? ` (${Math.round(toxic.toxicity * 100)}%)` : ''
      return `${toxic.type}${strength}${toxic.stream === 'upstream' ? ' ↑' : ''}${chance}`
    })
    .join(', ')
}
