/**
 * The run's faults as windows, from on to off: what the journal's fault_windows and the record's
 * injection.json are made of (docs/experiments.md#the-ground-truth-is-observed).
 */
import type { FaultWindow } from '../load/phases.ts'
import { planeOf, type SeenFault, type Sighting } from './fault-observer.ts'

/** What names an action, its target and its value: the rest of a provider is the fault's parameters. */
const NAMING = new Set(['type', 'action', 'service', 'edge', 'fault', 'toxic', 'value'])

/** An action's arguments, for its window: attributes, stream, toxicity, ttl_s, signal, duration_s… (as applied: scaled). */
export const parametersOf = (provider: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(provider).filter(([key]) => !NAMING.has(key)))

/** The faults a sighting can show: switches, an edge's toxics or its being down, a paused process. */
const SIGHTABLE = (fault: string) =>
  !['kill', 'restart', 'terminate-sessions', 'client-pause', 'row-lock'].includes(fault)
/** A fault past its TTL may still show for this long: the fleet's timers run late under load. */
const EXPIRY_GRACE_S = 2

type Entry = FaultWindow & {
  expiresAtS: number | null
  /** When the fault was in force (its action answered), on the run's clock: sightings asked before may miss it. */
  appliedAtS: number
  /** A toxic's name: what tells this run's toxic from another client's of the same type. */
  ident?: string | undefined
}

/**
 * The faults of a run, as windows: each opened when its action succeeded, closed by a clear, a
 * switch to 0 (`switched off`), or its TTL (`expired`: a TTL that ran out before the clear ended
 * the fault then). Sightings of the fleet's planes close a window whose fault went before its time
 * (`removed elsewhere`, `changed elsewhere`) and open a `foreign` one for a fault this run never
 * set. Times in seconds from the experiment's start.
 */
export class FaultLedger {
  readonly #windows: Entry[] = []
  /** Faults this run is setting or undoing right now (`service/fault`): a sighting may show them either way. */
  readonly #changing = new Map<string, number>()
  #sightings = 0

  constructor(private readonly clock: () => number) {}

  open(window: Omit<FaultWindow, 'until_s' | 'ended_by'>, expiresAtS: number | null, ident?: string): void {
    const appliedAtS = this.clock()
    this.#windows.push({
      ...window,
      until_s: window.from_s,
      ended_by: 'still on at the end',
      expiresAtS,
      appliedAtS,
      ident,
    })
  }

  /** Marks a fault as being changed by this run until the returned function is called. */
  changing(service: string, fault: string): () => void {
    const key = `${service}/${fault}`
    this.#changing.set(key, (this.#changing.get(key) ?? 0) + 1)
    let done = false
    return () => {
      if (done) return
      done = true
      const left = (this.#changing.get(key) ?? 1) - 1
      if (left > 0) this.#changing.set(key, left)
      else this.#changing.delete(key)
    }
  }

  /** Runs `change` with the fault marked as being changed by this run. */
  async whileChanging<T>(service: string, fault: string, change: () => Promise<T>): Promise<T> {
    const done = this.changing(service, fault)
    try {
      return await change()
    } finally {
      done()
    }
  }

  /** Closes the open windows of a service or edge (all when undefined), of one fault if named. */
  close(now: number, service: string | undefined, endedBy: FaultWindow['ended_by'], fault?: string): void {
    for (const window of this.#windows) {
      if (window.ended_by !== 'still on at the end' || window.foreign) continue
      if (service !== undefined && window.service !== service) continue
      if (fault !== undefined && window.fault !== fault) continue
      const expired = window.expiresAtS !== null && window.expiresAtS < now
      window.until_s = expired ? (window.expiresAtS as number) : now
      window.ended_by = expired ? 'expired' : endedBy
    }
  }

  /** This run's faults still in force (their TTL not out), to undo; a toxic with its name (`ident`). */
  inForce(now: number): (FaultWindow & { ident?: string | undefined })[] {
    return this.#windows.filter(
      (window) =>
        !window.foreign &&
        window.ended_by === 'still on at the end' &&
        (window.expiresAtS === null || window.expiresAtS > now),
    )
  }

  /** Whether a fault is in force now. */
  anyOpen(now: number): boolean {
    return this.#windows.some(
      (window) => window.ended_by === 'still on at the end' && (window.expiresAtS === null || window.expiresAtS > now),
    )
  }

  /**
   * Holds what the planes showed against what this run set: a fault of this run that is gone or
   * other than it was set, before its time, ends `removed elsewhere`/`changed elsewhere`; a fault
   * this run did not set opens (or keeps open) a foreign window; a foreign one gone closes.
   */
  reconcile(sighting: Sighting): void {
    const { askedS, answeredS, read } = sighting
    const first = this.#sightings++ === 0
    const seen = (window: Entry) => sighting.faults.find((fault) => matches(window, fault))
    for (const window of this.#windows) {
      if (window.ended_by !== 'still on at the end' || !SIGHTABLE(window.fault) || !read.has(planeOf(window))) continue
      if (this.#changing.has(`${window.service}/${window.fault}`)) continue
      if (window.appliedAtS > askedS) continue
      if (window.expiresAtS !== null && window.expiresAtS <= answeredS + EXPIRY_GRACE_S) continue
      const fault = seen(window)
      if (window.foreign) {
        if (!fault) Object.assign(window, { until_s: askedS, ended_by: 'removed elsewhere' })
        else window.until_s = answeredS
      } else if (!fault) {
        Object.assign(window, { until_s: askedS, ended_by: 'removed elsewhere' })
      } else if (fault.ident === undefined && fault.value !== window.value && planeOf(window) !== 'engine') {
        Object.assign(window, { until_s: askedS, ended_by: 'changed elsewhere' })
      }
    }
    for (const fault of sighting.faults) {
      if (this.#changing.has(`${fault.service}/${fault.fault}`)) continue
      if (this.#windows.some((window) => this.#accounts(window, fault, sighting))) continue
      this.#windows.push({
        service: fault.service,
        fault: fault.fault,
        value: fault.value,
        foreign: true,
        ...(first ? { before_run: true } : {}),
        from_s: first ? 0 : askedS,
        until_s: answeredS,
        ended_by: 'still on at the end',
        expiresAtS: null,
        appliedAtS: askedS,
        ident: fault.ident,
      })
    }
  }

  /** Whether a window explains a fault seen: this run's, in force at some time the sighting spans, or a foreign one still open. */
  #accounts(window: Entry, fault: SeenFault, sighting: Sighting): boolean {
    if (!matches(window, fault)) return false
    if (window.foreign) return window.ended_by === 'still on at the end'
    if (window.ended_by === 'removed elsewhere' || window.ended_by === 'changed elsewhere') return false
    const open = window.ended_by === 'still on at the end'
    const end = open ? Number.POSITIVE_INFINITY : window.until_s
    const expiry = window.expiresAtS === null ? Number.POSITIVE_INFINITY : window.expiresAtS + EXPIRY_GRACE_S
    return window.from_s <= sighting.answeredS && Math.min(end, expiry) >= sighting.askedS - EXPIRY_GRACE_S
  }

  /**
   * What made the run not valid evidence: each fault of this run another client removed or
   * changed, each fault another client set during the run or took away. A fault in force from
   * before the run to its end is a condition of the whole run, kept in the record, not a change.
   */
  tampering(): string[] {
    return this.#windows.flatMap((window) => {
      const what = `${window.service} ${window.fault}${window.ident ? ` (${window.ident})` : ''}`
      if (window.foreign && window.before_run) {
        return window.ended_by === 'still on at the end'
          ? []
          : [`${what}, in force before the run, was taken away by another client at ${round(window.until_s)} s`]
      }
      if (window.foreign) return [`${what} was in force from ${round(window.from_s)} s, and this run did not set it`]
      if (window.ended_by === 'removed elsewhere' || window.ended_by === 'changed elsewhere') {
        return [
          `${what} set by this run was ${window.ended_by.replace(' elsewhere', '')} by another client at ${round(window.until_s)} s`,
        ]
      }
      return []
    })
  }

  get count(): number {
    return this.#windows.filter((window) => !window.foreign).length
  }

  /**
   * The windows as the journal keeps them, to a tenth of a second, widened to it: the start
   * rounded down and the end up, so a window holds all of the fault's time. The phases split the
   * load at them: a start rounded up put up to 50 ms of the fault's own orders in the baseline.
   */
  windows(): FaultWindow[] {
    return this.#windows.map(({ expiresAtS: _, appliedAtS: __, ident: ___, ...window }) => ({
      ...window,
      from_s: Math.floor(window.from_s * 10) / 10,
      until_s: Math.ceil(window.until_s * 10) / 10,
    }))
  }
}

const round = (s: number) => Math.round(s * 10) / 10

/** The same fault: its target and kind, and for a toxic its name. */
const matches = (window: Pick<Entry, 'service' | 'fault' | 'ident'>, fault: SeenFault) =>
  window.service === fault.service &&
  window.fault === fault.fault &&
  (window.ident === undefined || fault.ident === undefined || window.ident === fault.ident)
