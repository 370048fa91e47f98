/**
 * The network faults of a service's edges (its calls to the other services, its PostgreSQL and
 * its Redis, and the gateway's calls to it), switched through the fault proxy's Toxiproxy API: the
 * chaos plane's door to them, so they take the same token, show in the same `GET /chaos`, and are
 * counted and logged as every other fault is. The proxy holds their state (and their TTLs): what
 * toxiproxy-cli sets there shows here too.
 */
import { badRequest, notFound, serviceUnavailable } from '@food/errors'
import { edgesSwitchedBy } from '@food/fault-proxy/fleet-edges'
import { type STREAMS, TOXIC_ATTRIBUTES, type ToxicType } from '@food/fault-proxy/toxics'
import { ToxiproxyClient, ToxiproxyError } from '@food/fault-proxy/toxiproxy-client'

const PROXY_DEADLINE_MS = 2000

export interface EdgeState {
  enabled: boolean
  toxics: {
    name: string
    type: string
    stream: string
    toxicity: number
    attributes: Record<string, number | string>
    /** When the proxy removes it (set with ttl_s), and the seconds left; null: until removed. */
    expires_at?: string | null
    ttl_s?: number | null
  }[]
  /** Taken down with ttl_s: when the proxy brings it up again, and the seconds left; null otherwise. */
  down_expires_at?: string | null
  down_ttl_s?: number | null
}

export interface ToxicRequest {
  type: ToxicType
  attributes?: Record<string, number | string> | undefined
  stream?: (typeof STREAMS)[number] | undefined
  toxicity?: number | undefined
  ttl_s?: number | undefined
}

export class NetworkFaults {
  readonly edges: readonly string[]
  readonly #proxy: ToxiproxyClient

  constructor(proxyUrl: string, service: string) {
    this.edges = edgesSwitchedBy(service)
    this.#proxy = new ToxiproxyClient(proxyUrl, { timeoutMs: PROXY_DEADLINE_MS })
  }

  /** A call to the proxy, its refusals in the fleet's error shape. */
  async #call<T>(call: (proxy: ToxiproxyClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.#proxy)
    } catch (error) {
      if (!(error instanceof ToxiproxyError)) throw error
      if (error.status === 0)
        throw serviceUnavailable(
          'FAULT_PROXY_UNAVAILABLE',
          `The fault proxy does not answer at ${this.#proxy.url}: ${error.said}`,
        )
      throw (error.status === 404 ? notFound : badRequest)('NETWORK_FAULT_REFUSED', `The fault proxy: ${error.said}`)
    }
  }

  /** Each of the service's edges, as the proxy has it now. */
  async view(): Promise<Record<string, EdgeState>> {
    const proxies = (await this.#call((proxy) => proxy.proxies())) as Record<string, EdgeState>
    return Object.fromEntries(
      this.edges
        .filter((edge) => proxies[edge])
        .map((edge) => {
          const { enabled, toxics, down_expires_at, down_ttl_s } = proxies[edge] as EdgeState
          return [edge, { enabled, toxics, down_expires_at, down_ttl_s }]
        }),
    )
  }

  /**
   * Sets a toxic on an edge, named `<type>_<stream>` as the experiment runner names it (one of a
   * kind per direction: setting it again replaces it). Unknown attributes are refused, by name.
   */
  async setToxic(edge: string, toxic: ToxicRequest): Promise<string> {
    const known = Object.keys(TOXIC_ATTRIBUTES[toxic.type].properties)
    const unknown = Object.keys(toxic.attributes ?? {}).filter((name) => !known.includes(name))
    if (unknown.length > 0) {
      throw badRequest(
        'VALIDATION_ERROR',
        `${toxic.type} has no attribute ${unknown.map((name) => `"${name}"`).join(', ')} (it has ${known.join(', ')})`,
      )
    }
    const stream = toxic.stream ?? 'downstream'
    const name = `${toxic.type}_${stream}`
    const view = await this.view()
    if (view[edge]?.toxics.some((existing) => existing.name === name))
      await this.#call((proxy) => proxy.removeToxic(edge, name))
    await this.#call((proxy) =>
      proxy.addToxic(edge, {
        name,
        type: toxic.type,
        stream,
        toxicity: toxic.toxicity ?? 1,
        attributes: toxic.attributes ?? {},
        ...(toxic.ttl_s ? { ttl_s: toxic.ttl_s } : {}),
      }),
    )
    return name
  }

  /** Removes a toxic; its type. */
  async removeToxic(edge: string, name: string): Promise<string> {
    const toxic = (await this.view())[edge]?.toxics.find((existing) => existing.name === name)
    if (!toxic) throw notFound('NETWORK_FAULT_NOT_FOUND', `${edge} has no toxic "${name}"`)
    await this.#call((proxy) => proxy.removeToxic(edge, name))
    return toxic.type
  }

  /** An edge down (`enabled: false`, for ttl_s when given) or up again. */
  async setEnabled(edge: string, enabled: boolean, ttlS?: number): Promise<void> {
    await this.#call((proxy) => proxy.setEnabled(edge, enabled, ttlS))
  }

  /** Every toxic of the service's edges removed, each edge up; what was cleared, as `<edge>/<type>` or `<edge>/down`. */
  async clear(): Promise<string[]> {
    const cleared: string[] = []
    for (const [edge, state] of Object.entries(await this.view())) {
      for (const toxic of state.toxics) {
        await this.#call((proxy) => proxy.removeToxic(edge, toxic.name))
        cleared.push(`${edge}/${toxic.type}`)
      }
      if (!state.enabled) {
        await this.setEnabled(edge, true)
        cleared.push(`${edge}/down`)
      }
    }
    return cleared
  }
}
