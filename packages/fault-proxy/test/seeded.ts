/** Random numbers for a proxy's tests: seeded (the same run each time), or given one by one. */

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** The numbers given to `draws`, in order, then `otherwise`: a toxic of toxicity 0.5 strikes the draws below it. */
export function scripted(otherwise = 0.99) {
  const draws: number[] = []
  return { draws, random: () => draws.shift() ?? otherwise }
}

/** Whether each of `count` requests is struck by one toxic of `toxicity`, drawn as the proxy draws them. */
export const predictedStrikes = (seed: number, toxicity: number, count: number) => {
  const random = seeded(seed)
  return Array.from({ length: count }, () => random() < toxicity)
}
