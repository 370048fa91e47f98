/**
 * The faults in force as the fleet's planes show them, read back at every scrape: what tells a run
 * that another client was at work on the fleet (docs/experiments.md#the-ground-truth-is-observed).
 */

import { ToxiproxyClient } from '@food/fault-proxy/toxiproxy-client'
import type { Targets } from '../fleet/targets.ts'
import type { Engine } from './engine.ts'
import { readPlane } from './fleet-plane.ts'
import { SERVICES } from './format.ts'

/** A fault seen in force: `ident` tells two toxics of one type apart (their names). */
export interface SeenFault {
  service: string
  fault: string
  value: number | boolean | string
  ident?: string | undefined
}

/** What the planes showed between `askedS` and `answeredS` (run seconds); `read`: the planes that answered. */
export interface Sighting {
  askedS: number
  answeredS: number
  faults: SeenFault[]
  /** The services whose GET /chaos answered, `proxy` and `engine` when they did. */
  read: Set<string>
}

type ProxiesView = Record<
  string,
  { enabled: boolean; toxics: { name: string; type: string; attributes?: Record<string, unknown> }[] }
>
type ChaosView = { faults?: Record<string, { value: number | boolean; expires_at: string | null }> }

/**
 * Reads each service's switches (GET /chaos), the fault proxy's edges and toxics (GET /proxies) and
 * the engine's paused processes. The ledger holds what this run set; a sighting says what was there.
 * A fault of this run gone before its time, or one in force that this run never set, means another
 * client was at work on the fleet: the run is not valid evidence.
 */
export class FaultObserver {
  constructor(
    private readonly targets: Targets,
    private readonly planes: { toxiproxyUrl?: string | undefined; engine?: Engine | undefined },
    private readonly seconds: () => number,
  ) {}

  async sight(): Promise<Sighting> {
    const askedS = this.seconds()
    const read = new Set<string>()
    const faults: SeenFault[] = []
    await Promise.all([
      ...SERVICES.map(async (service) => {
        // A paused or slow service is left unread for this sighting, not waited for: the other planes still are.
        const view = (await readPlane(`${this.targets[service]}/chaos`)) as ChaosView | undefined
        if (!view) return
        read.add(service)
        const now = Date.now()
        for (const [fault, state] of Object.entries(view.faults ?? {})) {
          // Past its TTL, a switch is off though its timer has not run yet (the store's rule).
          if (state.expires_at !== null && Date.parse(state.expires_at) <= now) continue
          faults.push({ service, fault, value: state.value })
        }
      }),
      this.#sightProxy(read, faults),
      this.#sightEngine(read, faults),
    ])
    return { askedS, answeredS: this.seconds(), faults, read }
  }

  async #sightProxy(read: Set<string>, faults: SeenFault[]) {
    if (!this.planes.toxiproxyUrl) return
    const proxies = (await new ToxiproxyClient(this.planes.toxiproxyUrl, { timeoutMs: 2000 })
      .proxies()
      .catch(() => undefined)) as ProxiesView | undefined
    if (!proxies) return
    read.add('proxy')
    for (const [edge, proxy] of Object.entries(proxies)) {
      if (!proxy.enabled) faults.push({ service: edge, fault: 'down', value: true })
      for (const toxic of proxy.toxics) {
        const value = (Object.values(toxic.attributes ?? {})[0] as number | undefined) ?? true
        faults.push({ service: edge, fault: toxic.type, value, ident: toxic.name })
      }
    }
  }

  async #sightEngine(read: Set<string>, faults: SeenFault[]) {
    const engine = this.planes.engine
    if (!engine) return
    try {
      const states = await Promise.all(SERVICES.map((service) => engine.stateOf(service)))
      read.add('engine')
      SERVICES.forEach((service, i) => {
        if (states[i] === 'paused') faults.push({ service, fault: 'pause', value: true })
      })
    } catch {}
  }
}

/** Which plane shows a fault of this service or edge, by its name. */
export function planeOf(fault: Pick<SeenFault, 'service' | 'fault'>): string {
  if (fault.fault === 'pause') return 'engine'
  return (SERVICES as readonly string[]).includes(fault.service) ? fault.service : 'proxy'
}
