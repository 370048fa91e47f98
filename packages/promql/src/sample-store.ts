import type { Sample } from './exposition.ts'

/** One scrape of one target: when, and what it answered. */
export interface Scrape {
  at: number
  samples: Sample[]
}

/**
 * The scrapes of a few targets (the fleet's services), kept for `retentionMs`: what a query's
 * range selectors look back over. Times are milliseconds, from whatever clock the caller uses.
 */
export class SampleStore {
  readonly #scrapes = new Map<string, Scrape[]>()
  readonly #retentionMs: number

  constructor(retentionMs = 15 * 60_000) {
    this.#retentionMs = retentionMs
  }

  add(target: string, at: number, samples: Sample[]): void {
    const scrapes = this.#scrapes.get(target) ?? []
    scrapes.push({ at, samples })
    while (scrapes.length > 0 && (scrapes[0]?.at ?? at) < at - this.#retentionMs) scrapes.shift()
    this.#scrapes.set(target, scrapes)
  }

  get targets(): string[] {
    return [...this.#scrapes.keys()]
  }

  /** A target's scrapes taken in [from, until], oldest first. */
  between(target: string, from: number, until: number): Scrape[] {
    return (this.#scrapes.get(target) ?? []).filter((scrape) => scrape.at >= from && scrape.at <= until)
  }

  /** The time of the newest scrape of any target (what a query is evaluated at by default). */
  get latest(): number | undefined {
    let latest: number | undefined
    for (const scrapes of this.#scrapes.values()) {
      const at = scrapes.at(-1)?.at
      if (at !== undefined && (latest === undefined || at > latest)) latest = at
    }
    return latest
  }
}
