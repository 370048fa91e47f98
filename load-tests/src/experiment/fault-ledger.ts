import type { FaultWindow } from '../phases.ts'

/** What names an action, its target and its value: the rest of a provider is the fault's parameters. */
const NAMING = new Set(['type', 'action', 'service', 'edge', 'fault', 'toxic', 'value'])

/** An action's arguments, for its window: attributes, stream, toxicity, ttl_s, signal, duration_s… (as applied: scaled). */
export const parametersOf = (provider: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(provider).filter(([key]) => !NAMING.has(key)))

/**
 * The faults an experiment applied, as windows: each opened when its action succeeded, closed
 * by a clear, a switch to 0 (`switched off`), or its TTL (`expired`: a TTL that ran out before
 * the clear ended the fault then). Times in seconds from the experiment's start.
 */
export class FaultLedger {
  readonly #windows: (FaultWindow & { expiresAtS: number | null })[] = []

  open(window: Omit<FaultWindow, 'until_s' | 'ended_by'>, expiresAtS: number | null): void {
    this.#windows.push({ ...window, until_s: window.from_s, ended_by: 'still on at the end', expiresAtS })
  }

  /** Closes the open windows of a service or edge (all when undefined), of one fault if named. */
  close(now: number, service: string | undefined, endedBy: FaultWindow['ended_by'], fault?: string): void {
    for (const window of this.#windows) {
      if (window.ended_by !== 'still on at the end') continue
      if (service !== undefined && window.service !== service) continue
      if (fault !== undefined && window.fault !== fault) continue
      const expired = window.expiresAtS !== null && window.expiresAtS < now
      window.until_s = expired ? (window.expiresAtS as number) : now
      window.ended_by = expired ? 'expired' : endedBy
    }
  }

  /** Whether a fault is in force now. */
  anyOpen(now: number): boolean {
    return this.#windows.some(
      (window) => window.ended_by === 'still on at the end' && (window.expiresAtS === null || window.expiresAtS > now),
    )
  }

  get count(): number {
    return this.#windows.length
  }

  /**
   * The windows as the journal keeps them, to a tenth of a second, widened to it: the start
   * rounded down and the end up, so a window holds all of the fault's time. The phases split the
   * load at them: a start rounded up put up to 50 ms of the fault's own orders in the baseline.
   */
  windows(): FaultWindow[] {
    return this.#windows.map(({ expiresAtS: _, ...window }) => ({
      ...window,
      from_s: Math.floor(window.from_s * 10) / 10,
      until_s: Math.ceil(window.until_s * 10) / 10,
    }))
  }
}
