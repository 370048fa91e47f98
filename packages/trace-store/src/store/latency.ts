/**
 * Each route's recent latency, to tell a trace slower than the route's p99: per (service, route),
 * the root durations of the last `windowMs` in `slots` slices, each a log-scale histogram
 * (buckets 2% wide, as DDSketch's), the oldest slice sliding out whole. A duration is above the
 * p99 when its bucket is above the p99's bucket, so the answer is exact to a bucket's width.
 * Bounded: `maxRoutes` routes (the least recently seen goes), a few hundred buckets each at most.
 */

const GAMMA = 1.02
const LOG_GAMMA = Math.log(GAMMA)
const P99_REFRESH_MS = 1000

/** The bucket of a duration in nanoseconds; everything up to 1 ns shares bucket 0. */
export const bucketOf = (nanos: number) => (nanos <= 1 ? 0 : Math.ceil(Math.log(nanos) / LOG_GAMMA))
/** The largest duration (ns) of a bucket. */
export const bucketTop = (bucket: number) => GAMMA ** bucket

interface Slice {
  index: number
  counts: Map<number, number>
  total: number
}

interface Route {
  slices: Slice[]
  /** Durations counted in all (the cache's clock: 1% more, and the p99 is merged again). */
  counted: number
  p99: { bucket: number | undefined; at: number; slice: number; counted: number } | undefined
}

export interface LatencyOptions {
  latencyWindowMs: number
  latencySlots: number
  latencyMinSamples: number
  latencyMaxRoutes: number
}

export interface Verdict {
  slow: boolean
  /** The route's p99 (ns) before this duration was counted; undefined while it has too few. */
  p99Nanos: number | undefined
}

export class RouteLatencies {
  private readonly routes = new Map<string, Route>()
  private readonly sliceMs: number

  constructor(
    private readonly options: LatencyOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sliceMs = options.latencyWindowMs / options.latencySlots
  }

  /** Whether `nanos` is above the route's recent p99; then counts it in. */
  judge(route: string, nanos: number): Verdict {
    const now = this.now()
    const slice = Math.floor(now / this.sliceMs)
    const entry = this.touch(route)
    entry.slices = entry.slices.filter((kept) => kept.index > slice - this.options.latencySlots)
    const p99 = this.p99Bucket(entry, now, slice)
    const bucket = bucketOf(nanos)
    let current = entry.slices.at(-1)
    if (current?.index !== slice) {
      current = { index: slice, counts: new Map(), total: 0 }
      entry.slices.push(current)
    }
    current.counts.set(bucket, (current.counts.get(bucket) ?? 0) + 1)
    current.total += 1
    entry.counted += 1
    return { slow: p99 !== undefined && bucket > p99, p99Nanos: p99 === undefined ? undefined : bucketTop(p99) }
  }

  /** The route's recent p99 (ns), or undefined while it has too few durations. */
  p99(route: string): number | undefined {
    const entry = this.routes.get(route)
    if (entry === undefined) return undefined
    const now = this.now()
    const bucket = this.p99Bucket(entry, now, Math.floor(now / this.sliceMs))
    return bucket === undefined ? undefined : bucketTop(bucket)
  }

  get size(): number {
    return this.routes.size
  }

  private touch(route: string): Route {
    let entry = this.routes.get(route)
    if (entry !== undefined) this.routes.delete(route)
    entry ??= { slices: [], counted: 0, p99: undefined }
    // Re-inserted, the map's order is least recently seen first: the one to forget.
    this.routes.set(route, entry)
    if (this.routes.size > this.options.latencyMaxRoutes) {
      const oldest = this.routes.keys().next().value
      if (oldest !== undefined) this.routes.delete(oldest)
    }
    return entry
  }

  // Merging the slices costs a few hundred steps: done again a second later, a slice later, once
  // 1% more durations came, and every time while the route has too few.
  private p99Bucket(entry: Route, now: number, slice: number): number | undefined {
    const cached = entry.p99
    const fresh = cached && now - cached.at < P99_REFRESH_MS && cached.slice === slice
    if (fresh && cached.bucket !== undefined && entry.counted <= cached.counted * 1.01) return cached.bucket
    const live = entry.slices.filter((kept) => kept.index > slice - this.options.latencySlots)
    const total = live.reduce((sum, kept) => sum + kept.total, 0)
    let bucket: number | undefined
    if (total >= this.options.latencyMinSamples) {
      const merged = new Map<number, number>()
      for (const kept of live) for (const [key, n] of kept.counts) merged.set(key, (merged.get(key) ?? 0) + n)
      const rank = Math.ceil(total * 0.99)
      let seen = 0
      for (const key of [...merged.keys()].sort((a, b) => a - b)) {
        seen += merged.get(key) ?? 0
        if (seen >= rank) {
          bucket = key
          break
        }
      }
    }
    entry.p99 = { bucket, at: now, slice, counted: entry.counted }
    return bucket
  }
}
