/**
 * A run's seed (`--seed N`) handed on to each fault it sets, so a replayed run gives each fault the
 * seed it had (docs/experiments.md#the-file-format).
 */
export class FaultSeeds {
  readonly #settings = new Map<string, number>()

  constructor(readonly seed: number) {}

  /**
   * The seed of the next setting of this fault: from the run's and the fault's place in the run (the
   * service, the fault, its how-manieth setting), whatever else the file adds or reorders.
   */
  next(service: string, fault: string): number {
    const key = `${service}/${fault}`
    const n = (this.#settings.get(key) ?? 0) + 1
    this.#settings.set(key, n)
    return fnv1a(`${this.seed}:${key}:${n}`)
  }
}

/** FNV-1a, 32 bits: a stable, well-spread number from a text. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}
