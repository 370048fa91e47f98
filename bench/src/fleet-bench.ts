/**
 * `npm run bench` (a benchmark, not a test): the fleet against the ceilings of what it stands on, each
 * figure with its ratio to its reference, in one run on this machine. See docs/performance.md.
 */

import { FLEET_SERVICES } from '@food/config'
import autocannon from 'autocannon'
import { rawReserveLoop, startCeiling, stopCeilings } from './ceilings.ts'
import {
  CONNECTIONS,
  DURATION_S,
  dropDatabases,
  type Figures,
  freshDatabases,
  measure,
  orderRequests,
  pgStatements,
  printTable,
  RUNTIME,
  reserveRequests,
  seedBenchCatalogue,
  signUpAndLogIn,
  startService,
  stopAll,
  type TreeMemory,
  treeMemory,
} from './harness.ts'
import { imageRuntime } from './image-runtime.ts'
import { npmStartDatabase, npmStartUrl, printLabMemory, startNpmStart } from './npm-start-arm.ts'
import { openOrderWork, placeOrders, sameWorkOrders } from './order-ceiling.ts'
import { type Calls, callsPer, straceAvailable } from './syscalls.ts'
import { tracingCost } from './tracing-cost.ts'

const MB = 1024 * 1024
const DISTINCT_MENUS = 200
/** How many orders strace counts the system calls of (BENCH_SYSCALLS=1), in the fleet and in the same work. */
const SYSCALL_ORDERS = 300

/** The calls per order of each process, the fleet's three summed, beside the same work's. */
function printSyscalls(calls: Record<string, Calls> | string): void {
  console.log(
    `\n3b. System calls per order (strace -c -f, ${SYSCALL_ORDERS} orders of ${DISTINCT_MENUS} menus, ${CONNECTIONS} at once)`,
  )
  if (typeof calls === 'string') {
    console.log(`   (not counted: ${calls})`)
    return
  }
  const { 'same work, one process': ceiling, ...fleet } = calls
  const together = Object.values(fleet).reduce(
    (sum, each) => ({ writes: sum.writes + each.writes, reads: sum.reads + each.reads, waits: sum.waits + each.waits }),
    { writes: 0, reads: 0, waits: 0 },
  )
  console.log(`${'process'.padEnd(28)}${'writes'.padStart(8)}${'reads'.padStart(8)}${'epoll'.padStart(8)}`)
  const row = (name: string, each: Calls) =>
    console.log(
      `${name.padEnd(28)}${each.writes.toFixed(1).padStart(8)}${each.reads.toFixed(1).padStart(8)}${each.waits.toFixed(1).padStart(8)}`,
    )
  for (const [name, each] of Object.entries(fleet)) row(name, each)
  row('the fleet, together', together)
  if (ceiling) row('same work, one process', ceiling)
}

/** How long the services idle before memory is read again (V8 gives back what a load left in time). */
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 30)
/** The connections orders are measured at: the default's, and 50. */
const ORDER_CONNECTIONS = [...new Set([CONNECTIONS, 50])]

/** The orders of the npm start fleet that is up: 200 menus at each of the order connections, and one hot menu. */
async function npmStartOrders(label: string): Promise<{ spread: Figures[]; hot: Figures }> {
  const { hot, distinct } = await seedBenchCatalogue(DISTINCT_MENUS, npmStartDatabase('restaurant'))
  const { token } = await signUpAndLogIn(npmStartUrl('user'))
  const spread: Figures[] = []
  for (const connections of ORDER_CONNECTIONS) {
    spread.push(
      await measure(`npm start, ${label}${DISTINCT_MENUS} menus, ${connections} conn.`, {
        url: npmStartUrl('order'),
        connections,
        requests: orderRequests(distinct, token),
      }),
    )
  }
  const hotOrders = await measure(`npm start, ${label}one hot menu, ${CONNECTIONS} conn.`, {
    url: npmStartUrl('order'),
    requests: orderRequests([hot], token),
  })
  return { spread, hot: hotOrders }
}

const megabytes = (bytes: number, width: number) => (bytes / MB).toFixed(0).padStart(width)
const total = (memory: TreeMemory[]) =>
  memory.reduce((sum, entry) => ({ rss: sum.rss + entry.rss, pss: sum.pss + entry.pss }), { rss: 0, pss: 0 })

/**
 * BENCH_ONLY=npm-start: section 5 alone (npm start, its orders and its lab's memory), without the
 * compiled services and the ceilings of 1–4 (nor their ratios); BENCH_ONLY=tracing: section 6 alone
 * (what tracing costs, tracing-cost.ts).
 */
const ONLY = process.env.BENCH_ONLY
const SECTIONS_ALONE = ['npm-start', 'tracing']
if (ONLY !== undefined && ONLY !== '' && !SECTIONS_ALONE.includes(ONLY)) {
  throw new Error(`BENCH_ONLY=${ONLY}: the sections that run alone are ${SECTIONS_ALONE.join(' and ')}`)
}

/**
 * Sections 1–4: the compiled services (or tsx, BENCH_RUNTIME) against the ceilings, their orders
 * and their memory; what section 5 puts npm start beside.
 */
async function compiledArms(): Promise<{ orderCases: Figures[]; afterLoads: (TreeMemory & { name: string })[] }> {
  console.log(
    RUNTIME === 'compiled'
      ? `services: compiled JavaScript as the images run it (${await imageRuntime().then(
          ({ nodeOptions, nodeArguments }) => `NODE_OPTIONS="${nodeOptions}", node ${nodeArguments.join(' ')}`,
        )})`
      : 'services: TypeScript through tsx, as npm start runs it',
  )
  // Needs PostgreSQL and Redis (DATABASE_URL's server, REDIS_URL); uses databases of its own.
  await freshDatabases([...FLEET_SERVICES])
  const { hot: hotMenu, distinct } = await seedBenchCatalogue(DISTINCT_MENUS)
  // Each service with its configuration's defaults (its database pool too), as the images and
  // npm start run it: the arms differ in what npm start adds, not in their settings.
  const user = await startService('user')
  const restaurant = await startService('restaurant')
  const order = await startService('order', {
    USER_SERVICE_URL: user.baseUrl,
    RESTAURANT_SERVICE_URL: restaurant.baseUrl,
  })

  // 1. Cached GET /menus against Fastify sending the same bytes (the framework's ceiling) and one
  // ioredis GET of them (the cache's); beside it, the same read without near entries (every read
  // carries the menus from Redis). Telemetry is not loaded (no endpoint); what tracing costs is
  // section 6.
  const menusBytes = Buffer.from(await (await fetch(`${restaurant.baseUrl}/menus`)).arrayBuffer())
  const framework = await measure(`Fastify sending the same ${menusBytes.length} B`, {
    url: await startCeiling('bytes', menusBytes),
  })
  const cache = await measure('Fastify + one ioredis GET of them', { url: await startCeiling('redis', menusBytes) })
  const menus = await measure('GET /menus, cached', { url: `${restaurant.baseUrl}/menus` })
  const redisOnly = await startService('restaurant', { MENU_NEAR_CACHE_ENTRIES: '0' })
  const menusRedisOnly = await measure('GET /menus, cached, no near entries', { url: `${redisOnly.baseUrl}/menus` })
  await redisOnly.stop()
  printTable('1a. Cached menus against the framework ceiling', [framework, cache, menus], framework)
  printTable('1b. Cached menus against the cache ceiling (the target: 0.9x)', [cache, menus, menusRedisOnly], cache)

  // 2. The hot-row reserve over HTTP against the same lock-and-decrement transaction in a raw pg loop
  // (the database's ceiling).
  const reserve = await measure('PUT /inventory hot row, pessimistic', {
    url: restaurant.baseUrl,
    requests: reserveRequests(hotMenu, 'http'),
  })
  const raw = await rawReserveLoop(hotMenu)
  printTable('2. Hot-row reserve against the database ceiling (same transaction)', [raw, reserve], raw)

  // 3. POST /orders end to end (validate, price, store, reserve, pay), on distinct menus and on one
  // hot menu, telemetry off.
  const { userId, token } = await signUpAndLogIn(user.baseUrl)
  // The orders against their same-work ceiling (order-ceiling.ts), at the default connections and
  // at 50: the ceiling runs while the services idle, in this process, on pools of the same size.
  const orderCases: Figures[] = []
  for (const connections of ORDER_CONNECTIONS) {
    const ceiling = (menuIds: number[], menusName: string) =>
      sameWorkOrders({
        name: `same work, ${menusName}, ${connections} conn.`,
        userId,
        menuIds,
        connections,
        durationS: DURATION_S,
      })
    const http = (menuIds: number[], menusName: string) =>
      measure(`POST /orders, ${menusName}, ${connections} conn.`, {
        url: order.baseUrl,
        connections,
        requests: orderRequests(menuIds, token),
      })
    await pgStatements?.reset()
    orderCases.push(await ceiling(distinct, `${DISTINCT_MENUS} menus`))
    await pgStatements?.print(`same work, ${DISTINCT_MENUS} menus, ${connections} connections`)
    await pgStatements?.reset()
    orderCases.push(await http(distinct, `${DISTINCT_MENUS} menus`))
    await pgStatements?.print(`POST /orders, ${DISTINCT_MENUS} menus, ${connections} connections`)
    orderCases.push(await ceiling([hotMenu], 'one hot menu'), await http([hotMenu], 'one hot menu'))
  }
  const services = { user, restaurant, order }
  const memoryNow = () =>
    Promise.all(
      Object.entries(services).map(async ([name, service]) => ({
        name,
        readyMs: service.readyMs,
        ...(await treeMemory(service.pid)),
      })),
    )
  /** 3b: what an order costs in system calls, in the fleet and in the same work in one process. */
  const syscallsPerOrder = async () => {
    if (!straceAvailable()) return 'strace is not installed (apt-get install strace)'
    const fleet = await callsPer({ user: user.pid, restaurant: restaurant.pid, order: order.pid }, async () => {
      const result = await autocannon({
        url: order.baseUrl,
        connections: CONNECTIONS,
        amount: SYSCALL_ORDERS,
        requests: orderRequests(distinct, token),
      })
      return result['2xx']
    })
    const work = openOrderWork()
    const orders = { userId, menuIds: distinct, connections: CONNECTIONS }
    try {
      await placeOrders(work, { ...orders, count: CONNECTIONS * 2 })
      const ceiling = await callsPer({ 'same work, one process': process.pid }, () =>
        placeOrders(work, { ...orders, count: SYSCALL_ORDERS }),
      )
      return { ...fleet, ...ceiling }
    } finally {
      await work.close()
    }
  }
  // 4. Memory (resident and proportional, each service's process tree) right after those loads and
  // once the services idled SETTLE_S seconds, and start-up to ready.
  const afterLoads = await memoryNow()
  await new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000))
  const settled = await memoryNow()
  const syscalls =
    process.env.BENCH_SYSCALLS === '1' ? await syscallsPerOrder().catch((error: Error) => error.message) : undefined
  console.log('\n3. Orders end to end (validate → price → store → reserve → pay), each against its same-work ceiling')
  console.log('   (the target: 0.7x of the ceiling, p99 within 2.5x of p50, at 20 and 50 connections)')
  for (let i = 0; i < orderCases.length; i += 2) {
    const [ceiling, http] = [orderCases[i], orderCases[i + 1]] as [Figures, Figures]
    printTable(`   ${http.name}`, [ceiling, http], ceiling, { tail: true })
  }
  if (syscalls) printSyscalls(syscalls)
  console.log(`\n4. Memory right after the loads of 1–3 and ${SETTLE_S} s later (each process tree, MB), start-up`)
  console.log(
    `${'service'.padEnd(12)}${'RSS'.padStart(7)}${'PSS'.padStart(7)}${`RSS +${SETTLE_S} s`.padStart(12)}${`PSS +${SETTLE_S} s`.padStart(12)}${'ready ms'.padStart(10)}`,
  )
  const row = (name: string, now: TreeMemory, later: TreeMemory, ready: string) =>
    console.log(
      `${name.padEnd(12)}${megabytes(now.rss, 7)}${megabytes(now.pss, 7)}${megabytes(later.rss, 12)}${megabytes(later.pss, 12)}${ready.padStart(10)}`,
    )
  afterLoads.forEach((now, index) => {
    row(now.name, now, settled[index] ?? now, now.readyMs.toFixed(0))
  })
  row('together', total(afterLoads), total(settled), '')
  console.log('(the targets: under 300 MB together, each ready in under 1000 ms; PSS counts once the node')
  console.log(' binary the three share, RSS once per service)')
  return { orderCases, afterLoads }
}

/**
 * 5. What npm start runs (scripts/start.mjs itself), beside the compiled services (stopped first,
 * for a quiet machine); with BENCH_NPM_START_VARIANTS=1 also without the fault proxy, and without
 * it and the request logs.
 */
async function npmStartSection(compiled: Awaited<ReturnType<typeof compiledArms>> | undefined): Promise<void> {
  await stopAll()
  /** npm start's orders at each of the order connections, each beside the compiled services' own. */
  const printBesideCompiled = (spread: Figures[]) => {
    for (const [index, connections] of ORDER_CONNECTIONS.entries()) {
      const beside = compiled?.orderCases.find(
        (row) => row.name === `POST /orders, ${DISTINCT_MENUS} menus, ${connections} conn.`,
      )
      const measured = spread[index] as Figures
      printTable('', beside ? [beside, measured] : [measured], beside ?? measured, { tail: true })
    }
  }
  const npmStart = await startNpmStart()
  if (npmStart) {
    try {
      const arm = await npmStartOrders('')
      const npmMemory = await Promise.all(Object.values(npmStart.pids).map((pid) => treeMemory(pid)))
      console.log('\n5. The fleet npm start runs (tsx, request logs at info through the launcher, every edge through')
      console.log(
        compiled
          ? '   the fault proxy), beside the compiled services (the goal: within 10% of their orders/s, ≤1.3x memory)'
          : '   the fault proxy), alone (BENCH_ONLY=npm-start: no compiled services to put it beside)',
      )
      printBesideCompiled(arm.spread)
      printTable('', [arm.hot], arm.hot, { tail: true })
      const npmTotal = total(npmMemory)
      const compiledTotal = compiled && total(compiled.afterLoads)
      console.log(
        compiledTotal
          ? `\nmemory of the three services right after the loads: compiled ${megabytes(compiledTotal.rss, 0)} MB RSS (${megabytes(compiledTotal.pss, 0)} PSS), npm start ${megabytes(npmTotal.rss, 0)} MB RSS (${megabytes(npmTotal.pss, 0)} PSS): ${(npmTotal.rss / compiledTotal.rss).toFixed(2)}x RSS, ${(npmTotal.pss / compiledTotal.pss).toFixed(2)}x PSS`
          : `\nmemory of the three services right after the loads: npm start ${megabytes(npmTotal.rss, 0)} MB RSS (${megabytes(npmTotal.pss, 0)} PSS)`,
      )
      await printLabMemory(npmStart)
    } finally {
      await npmStart.stop()
    }
    if (process.env.BENCH_NPM_START_VARIANTS === '1') {
      const variants = {
        'FAULT_PROXY=off': { FAULT_PROXY: 'off' },
        'FAULT_PROXY=off LOG_LEVEL=warn': { FAULT_PROXY: 'off', LOG_LEVEL: 'warn' },
      }
      console.log('\n5b. npm start without what it adds, one at a time (ratio to the compiled POST /orders)')
      for (const [label, env] of Object.entries(variants)) {
        const variant = await startNpmStart(env)
        if (!variant) break
        try {
          const arm = await npmStartOrders(`${label}, `)
          printBesideCompiled(arm.spread)
        } finally {
          await variant.stop()
        }
      }
    }
  }
}

try {
  console.log(`fleet benchmark: ${DURATION_S} s per case, ${CONNECTIONS} connections, Node ${process.version}`)
  const all = ONLY === undefined || ONLY === ''
  const compiled = all ? await compiledArms() : undefined
  if (all || ONLY === 'npm-start') await npmStartSection(compiled)
  // 6. What tracing costs: off, npm start's default, every trace kept (tracing-cost.ts).
  if (all || ONLY === 'tracing') {
    await stopAll()
    await tracingCost()
  }
} finally {
  await stopAll()
  await stopCeilings()
  await dropDatabases([...FLEET_SERVICES])
}
