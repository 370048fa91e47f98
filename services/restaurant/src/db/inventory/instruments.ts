import type { MetricsRegistry } from '@food/metrics'
import type pg from 'pg'
import { Counter, Gauge, Histogram } from 'prom-client'
import type { InventoryInstruments } from './inventory-store.ts'

export function createInventoryInstruments(registry: MetricsRegistry, pool: pg.Pool): InventoryInstruments {
  const registers = [registry]
  new Gauge({
    name: 'inventory_stock_units',
    help: 'Units in stock per menu, read from PostgreSQL at each scrape (the catalogue bounds the menus)',
    labelNames: ['menu'] as const,
    registers,
    async collect() {
      const { rows } = await pool.query<{ id: number; stock: number }>(
        'SELECT id, stock FROM menus ORDER BY id LIMIT 1000',
      )
      this.reset()
      for (const row of rows) this.set({ menu: String(row.id) }, row.stock)
    },
  })
  return {
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
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
      enableExemplars: true,
    }),
    retries: new Counter({
      name: 'inventory_change_retries_total',
      help: 'Stock change attempts that lost a race and were run again, by locking strategy',
      labelNames: ['strategy'] as const,
      registers,
    }),
  }
}
