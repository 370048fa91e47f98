/**
 * Section 6 of `npm run bench` (alone: `BENCH_ONLY=tracing`): what tracing costs the fleet, in the
 * configurations a user meets (docs/performance.md#what-tracing-costs): tracing off, the default of
 * `npm start` (the tail policy: `OTEL_TRACES_SAMPLER=tail`), and every trace kept; beside them,
 * where the cost is: an AsyncLocalStorage enabled and nothing else (the async context every tracer
 * needs on Node 20), OpenTelemetry loaded and recording nothing, and the default with a larger young
 * generation.
 * Each configuration's three services are up at once and the cases run in turn, round
 * after round, so a machine that is slower for a minute slows them all: medians over the rounds,
 * and the services' own CPU per request, which moves less than throughput on a shared machine.
 * The traced configurations export to a trace store of their own, npm start's (packages/trace-store,
 * its own process: trace-store-process.ts), keeping what it is sent (TRACE_STORE_SAMPLE_SHARE=1:
 * the services decided), whose CPU is counted apart.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CONNECTIONS,
  DURATION_S,
  type Figures,
  freshDatabases,
  measure,
  orderRequests,
  RUNTIME,
  seedBenchCatalogue,
  signUpAndLogIn,
  startService,
  type TreeMemory,
  treeMemory,
} from './harness.ts'
import { imageRuntime } from './image-runtime.ts'
import { printLoadProfile, type Window } from './profile-summary.ts'
import { type StoreProcess, startStoreProcess } from './trace-store-process.ts'

/** How many times each configuration's cases run, in turn with the others' (BENCH_TRACING_ROUNDS). */
const ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 3)
const DISTINCT_MENUS = 200

interface Arm {
  name: string
  /** Its services export traces (to a trace store of its own). */
  traced: boolean
  env: Record<string, string>
  /** A module node imports first (`--import`). */
  preload?: string
}

/**
 * The configurations. The default is what `npm start` sets (docs/configuration.md): the tail policy,
 * with its default share (10% of the traces by id, and the first 10 of each second).
 */
export const DEFAULT_ARMS: Arm[] = [
  { name: 'tracing off', traced: false, env: {} },
  {
    name: 'AsyncLocalStorage alone',
    traced: false,
    env: {},
    preload: fileURLToPath(new URL('async-context-only.mjs', import.meta.url)),
  },
  {
    name: 'OpenTelemetry recording nothing (always_off)',
    traced: true,
    env: { OTEL_TRACES_SAMPLER: 'always_off' },
  },
  { name: 'default (OTEL_TRACES_SAMPLER=tail)', traced: true, env: { OTEL_TRACES_SAMPLER: 'tail' } },
  {
    name: 'default, young generation 16 MB',
    traced: true,
    env: { OTEL_TRACES_SAMPLER: 'tail', NODE_OPTIONS: '--max-semi-space-size=16' },
  },
  {
    name: 'every trace kept (OTEL_TRACES_SAMPLER_ARG=1)',
    traced: true,
    env: { OTEL_TRACES_SAMPLER: 'tail', OTEL_TRACES_SAMPLER_ARG: '1' },
  },
]

/**
 * BENCH_TRACING_ARMS='[{"name":…,"traced":true,"env":{…}},…]': other configurations to put beside
 * tracing off (always first), e.g. a sampler's share or the exporter's protocol.
 */
export const TRACING_ARMS: Arm[] = process.env.BENCH_TRACING_ARMS
  ? [DEFAULT_ARMS[0] as Arm, ...(JSON.parse(process.env.BENCH_TRACING_ARMS) as Arm[])]
  : DEFAULT_ARMS

const GOALS: Record<string, number> = {
  'default (OTEL_TRACES_SAMPLER=tail)': 0.85,
  'every trace kept (OTEL_TRACES_SAMPLER_ARG=1)': 0.7,
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

interface Case {
  runs: Figures[]
  /** The CPU profile of each process the case loads, with the windows its runs took. */
  profiles: { file: () => string | undefined; windows: Window[] }[]
}

type Service = Awaited<ReturnType<typeof startService>>

/** One configuration's three services, its receiver, and what was measured of it. */
interface Fleet {
  arm: Arm
  store: StoreProcess | undefined
  services: { user: Service; restaurant: Service; order: Service }
  /** Requests sent to it in all (warm-ups included), for its spans per request. */
  requests: number
  /** The three services' memory once the rounds ran. */
  memory?: TreeMemory
  menus: Case
  orders: Case
}

/** Section 6: prints the table, the spans exported, and each traced configuration's profile. */
export async function tracingCost(): Promise<void> {
  await freshDatabases(['user', 'restaurant', 'order'])
  const { distinct } = await seedBenchCatalogue(DISTINCT_MENUS)
  const profileDir = await mkdtemp(join(tmpdir(), 'bench-tracing-profiles-'))
  const image = RUNTIME === 'compiled' ? await imageRuntime() : undefined
  const stores: StoreProcess[] = []
  const fleets: Fleet[] = []
  try {
    for (const arm of TRACING_ARMS) {
      const store = arm.traced ? await startStoreProcess({ TRACE_STORE_SAMPLE_SHARE: '1' }) : undefined
      if (store) stores.push(store)
      const env = (service: string) => ({
        OTEL_SERVICE_NAME: `${service}-service`,
        ...(store && { OTEL_EXPORTER_OTLP_ENDPOINT: store.otlpUrl }),
        ...(arm.preload && { NODE_OPTIONS: [image?.nodeOptions, `--import=${arm.preload}`].filter(Boolean).join(' ') }),
        ...arm.env,
        // Added to the image's (a V8 flag to try, say).
        ...(arm.env.NODE_OPTIONS && {
          NODE_OPTIONS: [image?.nodeOptions, arm.env.NODE_OPTIONS].filter(Boolean).join(' '),
        }),
      })
      const start = (service: string, extra: Record<string, string> = {}) =>
        startService(service, { ...env(service), ...extra }, { profileDir })
      const user = await start('user')
      const restaurant = await start('restaurant')
      const order = await start('order', { USER_SERVICE_URL: user.baseUrl, RESTAURANT_SERVICE_URL: restaurant.baseUrl })
      const profileOf = (service: Service) => ({ file: () => service.profile, windows: [] as Window[] })
      fleets.push({
        arm,
        store,
        services: { user, restaurant, order },
        requests: 0,
        menus: { runs: [], profiles: [profileOf(restaurant)] },
        orders: { runs: [], profiles: [user, restaurant, order].map(profileOf) },
      })
    }
    const first = fleets[0]
    if (!first) return
    const { token } = await signUpAndLogIn(first.services.user.baseUrl)
    for (let round = 0; round < ROUNDS; round++) {
      for (const fleet of round % 2 === 0 ? fleets : [...fleets].reverse()) {
        const { user, restaurant, order } = fleet.services
        const others = fleet.store ? [fleet.store.pid] : []
        const menus = await measure(
          `GET /menus cached, ${fleet.arm.name}`,
          { url: `${restaurant.baseUrl}/menus` },
          { pids: [restaurant.pid], others },
        )
        const orders = await measure(
          `POST /orders, ${fleet.arm.name}`,
          { url: order.baseUrl, requests: orderRequests(distinct, token) },
          { pids: [user.pid, restaurant.pid, order.pid], others },
        )
        for (const [each, figures] of [
          [fleet.menus, menus],
          [fleet.orders, orders],
        ] as const) {
          each.runs.push(figures)
          if (figures.window) for (const profile of each.profiles) profile.windows.push(figures.window)
        }
        // Spans per request: every request the arm was sent, its warm-ups too (they export as well).
        fleet.requests += (menus.sent ?? 0) + (orders.sent ?? 0)
      }
    }
    for (const fleet of fleets) {
      const each = await Promise.all(Object.values(fleet.services).map((service) => treeMemory(service.pid)))
      fleet.memory = each.reduce((sum, memory) => ({ rss: sum.rss + memory.rss, pss: sum.pss + memory.pss }))
    }
    // Stopped, they write their profiles, and flush the spans still batched.
    for (const fleet of fleets) await Promise.all(Object.values(fleet.services).map((service) => service.stop()))
    const received = new Map<Fleet, { spans: number; bytes: number }>()
    for (const fleet of fleets) if (fleet.store) received.set(fleet, await fleet.store.counts())

    console.log(
      `\n6. What tracing costs: each configuration's three services up at once, the cases in turn, ${ROUNDS} rounds (medians);`,
    )
    console.log(
      `   ${CONNECTIONS} connections, ${DURATION_S} s per case; CPU: the loaded services' own (user + system) per request`,
    )
    console.log(
      `${'case'.padEnd(68)}${'req/s'.padStart(8)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'errors'.padStart(8)}${'ratio'.padStart(8)}${'CPU µs'.padStart(9)}${'ratio'.padStart(8)}${'store µs'.padStart(10)}`,
    )
    for (const which of ['menus', 'orders'] as const) {
      const row = (fleet: Fleet) => {
        const runs = fleet[which].runs
        return {
          name: runs[0]?.name ?? '',
          rate: median(runs.map((run) => run.rate)),
          p50: median(runs.map((run) => run.p50)),
          p99: median(runs.map((run) => run.p99)),
          errors: runs.reduce((sum, run) => sum + run.errors, 0),
          cpu: median(runs.map((run) => (run.cpuUs ?? 0) / Math.max(1, run.requests ?? 0))),
          store: median(runs.map((run) => (run.othersCpuUs ?? 0) / Math.max(1, run.requests ?? 0))),
          rates: runs.map((run) => run.rate.toFixed(0)).join(', '),
        }
      }
      const off = row(first)
      for (const fleet of fleets) {
        const each = row(fleet)
        const ratio = each.rate / off.rate
        const goal = GOALS[fleet.arm.name]
        console.log(
          `${each.name.padEnd(68)}${each.rate.toFixed(0).padStart(8)}${each.p50.toFixed(1).padStart(8)}${each.p99.toFixed(1).padStart(8)}${String(each.errors).padStart(8)}${`${ratio.toFixed(2)}x`.padStart(8)}${each.cpu.toFixed(0).padStart(9)}${`${(off.cpu / each.cpu).toFixed(2)}x`.padStart(8)}${(fleet.store ? each.store.toFixed(0) : '').padStart(10)}`,
        )
        console.log(
          `${''.padEnd(6)}each round: ${each.rates} req/s${goal === undefined ? '' : `; the goal: ≥ ${goal.toFixed(2)}x of tracing off: ${ratio >= goal ? 'met' : 'not met'}`}`,
        )
      }
    }
    console.log(
      '   (CPU: the loaded services’ own per request, and its ratio: tracing off’s over the configuration’s, what',
    )
    console.log(
      '    throughput would be if the services were all that ran; here the load generator, PostgreSQL, Redis and',
    )
    console.log('    the trace store share the cores. store: the trace store’s CPU per request, taking the spans in)')

    const every = fleets.find((fleet) => fleet.arm.name.startsWith('every trace kept'))
    const perRequest = (fleet: Fleet) => (received.get(fleet)?.spans ?? 0) / Math.max(1, fleet.requests)
    console.log('\n   Memory of the three services once the rounds ran (RSS, and PSS: shared pages divided):')
    for (const fleet of fleets) {
      const mb = (bytes = 0) => (bytes / 2 ** 20).toFixed(0)
      console.log(`   ${fleet.arm.name}: ${mb(fleet.memory?.rss)} MB RSS, ${mb(fleet.memory?.pss)} MB PSS`)
    }

    console.log('\n   Spans exported per request (menus and orders together, warm-ups included):')
    for (const fleet of fleets.filter((each) => each.store)) {
      const counts = received.get(fleet)
      const share =
        every && fleet !== every
          ? ` (${((100 * perRequest(fleet)) / perRequest(every)).toFixed(1)}% of every trace's)`
          : ''
      console.log(
        `   ${fleet.arm.name}: ${perRequest(fleet).toFixed(2)}${share}; its store took in ${counts?.spans} spans and holds ${((counts?.bytes ?? 0) / 2 ** 20).toFixed(0)} MB of them`,
      )
    }

    console.log(
      `\n   Where the CPU went under each load (self time, the measured runs only; profiles in ${profileDir}):`,
    )
    for (const fleet of fleets.filter((each) => each.arm.traced || each === first)) {
      for (const [label, each] of [
        ['GET /menus cached (the restaurant)', fleet.menus],
        ['POST /orders (the three services together)', fleet.orders],
      ] as const) {
        const parts = each.profiles.flatMap(({ file, windows }) => {
          const path = file()
          return path ? [{ file: path, windows }] : []
        })
        const requests = each.runs.reduce((sum, run) => sum + (run.requests ?? 0), 0)
        if (parts.length > 0) await printLoadProfile(`${fleet.arm.name}, ${label}`, parts, requests)
      }
    }
  } finally {
    for (const fleet of fleets) await Promise.all(Object.values(fleet.services).map((service) => service.stop()))
    await Promise.all(stores.map((store) => store.stop()))
  }
}
