/**
 * `npm run bench:restaurant` (a benchmark, not a test; BENCH_DURATION_S, BENCH_CONNECTIONS change the
 * load): the restaurant service alone, telemetry off (docs/performance.md).
 */
import { LOCK_STRATEGIES } from '@food/restaurant-service/config'
import pg from 'pg'
import {
  benchDatabase,
  CONNECTIONS,
  DURATION_S,
  dropDatabases,
  type Figures,
  freshDatabases,
  HOT_STOCK,
  measure,
  printTable,
  reserveRequests,
  seedBenchCatalogue,
  startService,
  stopAll,
} from './harness.ts'

/** The cache experiment's arms: no cache, Redis alone, Redis with each replica's near entries (the default). */
const MENU_CACHE_ARMS: Record<string, Record<string, string>> = {
  uncached: { MENU_CACHE_ENABLED: 'false' },
  'cached (Redis)': { MENU_NEAR_CACHE_ENTRIES: '0' },
  'cached (near entries)': {},
}

/** Whether stock + reserved units still equal the initial stock, checked after the runs. */
async function conserved(menuId: number): Promise<string> {
  const client = new pg.Client({ connectionString: benchDatabase('restaurant') })
  await client.connect()
  const { rows } = await client.query<{ stock: number; reserved: string }>(
    `SELECT stock, (SELECT COALESCE(SUM(quantity), 0) FROM stock_reservations WHERE menu_id = $1) AS reserved
     FROM menus WHERE id = $1`,
    [menuId],
  )
  await client.end()
  const { stock, reserved } = rows[0] ?? { stock: -1, reserved: '0' }
  return `stock ${stock} + reserved ${reserved} = ${HOT_STOCK}: ${stock + Number(reserved) === HOT_STOCK}`
}

try {
  console.log(`restaurant benchmark: ${DURATION_S} s per case, ${CONNECTIONS} connections, Node ${process.version}`)
  await freshDatabases(['restaurant'])
  const { hot: hotMenu } = await seedBenchCatalogue()
  const untraced = { OTEL_SDK_DISABLED: 'true' }

  const menus: Figures[] = []
  for (const [name, env] of Object.entries(MENU_CACHE_ARMS)) {
    const service = await startService('restaurant', { ...untraced, ...env })
    menus.push(await measure(`GET /menus ${name}`, { url: `${service.baseUrl}/menus` }))
    await service.stop()
  }
  printTable('GET /menus (21 menus), ratio to uncached', menus, menus[0] as Figures)

  // The hot-row reserve rate of each locking strategy: CONNECTIONS clients reserving 1 unit of one menu.
  const reserves: Figures[] = []
  for (const strategy of LOCK_STRATEGIES) {
    const service = await startService('restaurant', { ...untraced, STOCK_LOCK_STRATEGY: strategy })
    reserves.push(
      await measure(`PUT /inventory hot row, ${strategy}`, {
        url: service.baseUrl,
        requests: reserveRequests(hotMenu, strategy),
      }),
    )
    await service.stop()
  }
  printTable(
    `Reserve 1 unit of one menu, ${CONNECTIONS} clients, ratio to pessimistic`,
    reserves,
    reserves[0] as Figures,
  )
  console.log(`\nhot row after the runs: ${await conserved(hotMenu)}`)
} finally {
  await stopAll()
  await dropDatabases(['restaurant'])
}
