/** What the bench composes of this service in one process (the same-work ceiling, the stock-row arm). */
export { MenuCache } from './cache/menu-cache.ts'
export { CatalogRepository } from './db/catalog-repository.ts'
export { createInventoryInstruments } from './db/inventory/instruments.ts'
export { InventoryStore } from './db/inventory/inventory-store.ts'
export { LOCK_STRATEGIES_BY_NAME, pessimistic } from './db/inventory/lock-strategy.ts'
export { moveWithLedgerRow, readMenuStockAndReservation } from './db/inventory/stock-rows.ts'
export { stockChangeShare } from './domain/inventory.ts'
