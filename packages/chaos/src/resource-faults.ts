import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { MetricsRegistry } from '@food/metrics'
import type { FastifyBaseLogger } from 'fastify'
import { Gauge } from 'prom-client'
import { connectionLeakFault, cpuHogFault, memoryLeakFault } from './fault-definition.ts'

/** How often the resource faults look at their switches (and a leak adds to what it holds). */
const TICK_MS = 100

/** A CPU hog's cycle: busy for its share of it, then free for the rest. */
const CYCLE_MS = 1000

/** A memory leak retains this much at a time: an array of 131 072 numbers (8 bytes each). */
export const LEAK_CHUNK_BYTES = 2 ** 20
const CHUNK_LENGTH = LEAK_CHUNK_BYTES / 8

/** The bound of a memory leak unless told otherwise: 512 MiB, or half the heap limit if less. */
export const defaultMemoryLeakBound = (): number =>
  Math.min(512 * 2 ** 20, Math.floor(getHeapStatistics().heap_size_limit / 2))

/** What the connection leak needs of a pool: node-postgres' `pg.Pool` (app.pg) has it. */
export interface CheckoutPool {
  connect(): Promise<CheckedOutClient>
  readonly options: { max?: number | undefined }
}

export interface CheckedOutClient {
  /** Given an error, the pool destroys the connection instead of keeping it. */
  release(error?: Error | boolean): void
  on(event: 'error', listener: (error: Error) => void): unknown
  removeListener(event: 'error', listener: (error: Error) => void): unknown
}

/** Keeps `spin`'s work from being optimised away. */
let spun = 0

/** Keeps the CPU busy, synchronously, for `ms`: nothing else of the process runs meanwhile. */
function spin(ms: number): void {
  const until = performance.now() + ms
  let x = spun
  while (performance.now() < until) {
    for (let i = 0; i < 1000; i++) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648
  }
  spun = x
}

let fullCollection: (() => void) | undefined

/**
 * A full garbage collection, so that memory let go shows as freed at once (heap and RSS), not at
 * V8's leisure: `gc` exposed at run time, as jest's leak detector does.
 */
function collectGarbage(log: FastifyBaseLogger): void {
  try {
    if (!fullCollection) {
      setFlagsFromString('--expose-gc')
      fullCollection = runInNewContext('gc') as () => void
    }
    fullCollection()
  } catch (error) {
    log.debug({ err: error }, 'no garbage collection on demand: the memory is freed at the next one')
  }
}

/** cpu_hog: once a cycle, spins for busy_percent of it. */
export class CpuHog {
  #nextAt = 0
  readonly #onBurn: () => void

  constructor(onBurn: () => void) {
    this.#onBurn = onBurn
  }

  /** Spins if a cycle begins now; returns the ms until the next one (Infinity when off). */
  tick(now: number, busyPercent: number): number {
    if (busyPercent <= 0) {
      this.#nextAt = 0
      return Number.POSITIVE_INFINITY
    }
    if (now >= this.#nextAt) {
      spin((CYCLE_MS * Math.min(busyPercent, 100)) / 100)
      this.#nextAt = now + CYCLE_MS
      this.#onBurn()
    }
    return this.#nextAt - performance.now()
  }
}

/** memory_leak: retains mb_per_s MiB of objects a second, up to its bound; lets all go when off. */
export class MemoryLeak {
  #chunks: number[][] = []
  /** MiB due but not yet retained (a tick comes every 100 ms, or later when the loop is busy). */
  #owed = 0
  #last: number | undefined
  #atBound = false
  readonly #boundBytes: number
  readonly #onRetain: () => void
  readonly #log: FastifyBaseLogger

  constructor(boundBytes: number, onRetain: () => void, log: FastifyBaseLogger) {
    this.#boundBytes = boundBytes
    this.#onRetain = onRetain
    this.#log = log
  }

  get retainedBytes(): number {
    return this.#chunks.length * LEAK_CHUNK_BYTES
  }

  tick(now: number, mbPerSecond: number): void {
    if (mbPerSecond <= 0) {
      this.#last = undefined
      if (this.#chunks.length > 0) this.release()
      return
    }
    if (this.#last !== undefined) {
      // A second's worth at most: a loop held up for long does not retain it all at once.
      this.#owed = Math.min(this.#owed + (mbPerSecond * (now - this.#last)) / 1000, Math.max(1, mbPerSecond))
    }
    this.#last = now
    while (this.#owed >= 1 && this.retainedBytes + LEAK_CHUNK_BYTES <= this.#boundBytes) {
      // Every element written, so the pages are touched: resident, not only reserved.
      this.#chunks.push(new Array<number>(CHUNK_LENGTH).fill(this.#chunks.length))
      this.#owed -= 1
      this.#onRetain()
    }
    if (this.retainedBytes + LEAK_CHUNK_BYTES > this.#boundBytes) {
      this.#owed = 0
      if (!this.#atBound) {
        this.#atBound = true
        this.#log.warn(
          { fault: memoryLeakFault.name, retained_bytes: this.retainedBytes },
          'memory leak at its bound: it grows no more',
        )
      }
    }
  }

  /** Lets go of everything retained, and has it collected now. */
  release(): void {
    if (this.#chunks.length === 0) return
    this.#chunks = []
    this.#owed = 0
    this.#atBound = false
    collectGarbage(this.#log)
  }
}

/** A connection checked out by the leak, with the listener that keeps a server's error from crashing the process. */
interface Leaked {
  client: CheckedOutClient
  onError: (error: Error) => void
}

/** connection_leak: checks out connections_per_s connections a second and keeps them, up to the pool's size. */
export class ConnectionLeak {
  readonly #pool: CheckoutPool
  readonly #held = new Set<Leaked>()
  /** Checkouts asked for and not yet answered: they wait in the pool's queue as any caller does. */
  #pending = 0
  #owed = 0
  #last: number | undefined
  /** Bumped by each release: a checkout answered after it goes straight back. */
  #generation = 0
  readonly #onLeak: () => void
  readonly #log: FastifyBaseLogger

  constructor(pool: CheckoutPool, onLeak: () => void, log: FastifyBaseLogger) {
    this.#pool = pool
    this.#onLeak = onLeak
    this.#log = log
  }

  get held(): number {
    return this.#held.size
  }

  get #poolSize(): number {
    return this.#pool.options.max ?? 10
  }

  tick(now: number, perSecond: number): void {
    if (perSecond <= 0) {
      this.#last = undefined
      if (this.#held.size > 0 || this.#pending > 0) this.release()
      return
    }
    // Switched on: the first connection goes at once, the next ones at the rate asked for.
    this.#owed =
      this.#last === undefined
        ? Math.max(this.#owed, 1)
        : Math.min(this.#owed + (perSecond * (now - this.#last)) / 1000, Math.max(1, perSecond))
    this.#last = now
    while (this.#owed >= 1 && this.#held.size + this.#pending < this.#poolSize) {
      this.#owed -= 1
      this.#checkOut()
    }
    if (this.#held.size + this.#pending >= this.#poolSize) this.#owed = 0
  }

  #checkOut(): void {
    const generation = this.#generation
    this.#pending++
    this.#pool.connect().then(
      (client) => {
        this.#pending--
        if (generation !== this.#generation) {
          client.release()
          return
        }
        const leaked: Leaked = {
          client,
          // The server ended it (a restart, pg_terminate_backend): the pool replaces it, the leak takes another.
          onError: (error) => {
            client.removeListener('error', leaked.onError)
            this.#held.delete(leaked)
            client.release(error)
          },
        }
        client.on('error', leaked.onError)
        this.#held.add(leaked)
        this.#onLeak()
      },
      (error: Error) => {
        this.#pending--
        this.#log.debug({ err: error, fault: connectionLeakFault.name }, 'leak found no connection this time')
      },
    )
  }

  /** Gives every leaked connection back to the pool (and those still being checked out, once they are). */
  release(): void {
    this.#generation++
    this.#owed = 0
    for (const { client, onError } of this.#held) {
      client.removeListener('error', onError)
      client.release()
    }
    this.#held.clear()
  }
}

export interface ResourceFaultsOptions {
  /** A fault's value now: 0 when off, past its TTL, or chaos disabled. */
  current(name: string): number
  /** Counts what a fault did (a spin, a MiB retained, a connection kept) in chaos_injections_total. */
  injected(name: string): void
  registry: MetricsRegistry
  log: FastifyBaseLogger
  /** The service's pool; without one there is no connection leak. */
  pool?: CheckoutPool | undefined
  /** The memory leak's bound, bytes (defaultMemoryLeakBound). */
  memoryBoundBytes?: number | undefined
}

/**
 * The resource faults of a process, driven by their switches: every 100 ms (and at each CPU hog
 * cycle) each looks at its value, which covers every way a fault changes (set or cleared here,
 * by another replica through Redis, or past its TTL), and acts or undoes.
 */
export class ResourceFaults {
  readonly cpu: CpuHog
  readonly memory: MemoryLeak
  readonly connections: ConnectionLeak | undefined
  readonly #current: (name: string) => number
  readonly #log: FastifyBaseLogger
  #timer: NodeJS.Timeout | undefined
  #running = false

  constructor(options: ResourceFaultsOptions) {
    this.#current = options.current
    this.#log = options.log
    this.cpu = new CpuHog(() => options.injected(cpuHogFault.name))
    this.memory = new MemoryLeak(
      options.memoryBoundBytes ?? defaultMemoryLeakBound(),
      () => options.injected(memoryLeakFault.name),
      options.log,
    )
    this.connections =
      options.pool && new ConnectionLeak(options.pool, () => options.injected(connectionLeakFault.name), options.log)
    const registers = [options.registry]
    const memory = this.memory
    new Gauge({
      name: 'chaos_memory_leak_retained_bytes',
      help: 'Memory the memory_leak fault retains now, bytes',
      registers,
      collect() {
        this.set(memory.retainedBytes)
      },
    })
    const connections = this.connections
    if (connections) {
      new Gauge({
        name: 'chaos_connection_leak_held_connections',
        help: 'PostgreSQL connections of the pool the connection_leak fault holds now',
        registers,
        collect() {
          this.set(connections.held)
        },
      })
    }
  }

  start(): void {
    this.#running = true
    this.#schedule(TICK_MS)
  }

  /** Stops looking, and undoes whatever is held. */
  stop(): void {
    this.#running = false
    clearTimeout(this.#timer)
    this.memory.release()
    this.connections?.release()
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, delayMs))
    // Never what keeps the process alive.
    this.#timer.unref()
  }

  #tick(): void {
    let next = TICK_MS
    try {
      const now = performance.now()
      this.memory.tick(now, this.#current(memoryLeakFault.name))
      this.connections?.tick(now, this.#current(connectionLeakFault.name))
      next = Math.min(next, this.cpu.tick(now, this.#current(cpuHogFault.name)))
    } catch (error) {
      this.#log.error({ err: error }, 'a resource fault failed to act')
    }
    this.#schedule(next)
  }
}
