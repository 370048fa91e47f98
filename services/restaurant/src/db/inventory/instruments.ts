import { type MetricsRegistry, readingGauge } from '@food/metrics'
import type pg from 'pg'
import { Counter, Histogram } from 'prom-client'
import type { InventoryInstruments } from './inventory-store.ts'

/**
 * The menus shown one by one in `inventory_stock_units`: the ones whose stock changed last. Every
 * load run adds menus, so "every menu" would grow the series without bound; a menu that has been
 * still for long drops out (its last value stays in Prometheus' history).
 */
export const STOCK_GAUGE_MENUS = 100

export function createInventoryInstruments(
  registry: MetricsRegistry,
  pool: pg.Pool,
  strategy: string,
): InventoryInstruments {
  const registers = [registry]
  readingGauge(registry, {
    name: 'inventory_stock_units',
    help: `Units in stock per menu, read from PostgreSQL at each scrape, for the ${STOCK_GAUGE_MENUS} menus whose stock changed last`,
    labelNames: ['menu'] as const,
    read: async () => {
      const { rows } = await pool.query<{ id: number; stock: number }>(
        'SELECT id, stock FROM menus ORDER BY updated_at DESC, id DESC LIMIT $1',
        [STOCK_GAUGE_MENUS],
      )
      return rows.map((row) => ({ labels: { menu: String(row.id) }, value: row.stock }))
    },
  })
  const retries = new Counter({
    name: 'inventory_change_retries_total',
    help: 'Stock change attempts that lost a race and were run again, by locking strategy',
    labelNames: ['strategy'] as const,
    registers,
  })
  // From the start at 0: "no race lost" reads differently on a dashboard from "no data".
  retries.inc({ strategy }, 0)
  return {
    retries,
    changes: new Counter({
      name: 'inventory_changes_total',
      help: 'Stock changes by operation (reserve, restore), outcome and locking strategy',
      labelNames: ['operation', 'outcome', 'strategy'] as const,
      registers,
    }),
    lockWait: new Histogram({
      name: 'inventory_lock_wait_seconds',
      help: 'Time spent in the statement that takes the menu row lock, by locking strategy',
      labelNames: ['strategy'] as const,
      // prom-client's default buckets, and 1 ms below them: an uncontended lock is taken in well under 5 ms.
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
      enableExemplars: true,
    }),
  }
}
