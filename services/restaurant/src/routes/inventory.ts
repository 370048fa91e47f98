import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError, notFound } from '@food/errors'
import type { MenuCache } from '../cache/menu-cache.ts'
import type { InventoryStore } from '../db/inventory/inventory-store.ts'
import { changeStockSchema, getStockSchema, restockSchema } from './inventory.schema.ts'

export interface InventoryRoutesOptions {
  inventory: InventoryStore
  menus: MenuCache
}

export const inventoryRoutes: FastifyPluginAsyncTypebox<InventoryRoutesOptions> = async (app, { inventory, menus }) => {
  app.put('/inventory/:menuId', { schema: changeStockSchema, preHandler: app.requireServiceToken }, async (request) => {
    const { order_id: orderId, quantity, operation } = request.body
    const result = await inventory.change({ menuId: request.params.menuId, orderId, quantity, operation })
    // After commit: a reader that misses now loads the new stock.
    if (result.moved > 0) await menus.invalidateStock(result.menuId, result.restaurantId)
    request.log.info({ menu_id: result.menuId, order_id: orderId, operation, outcome: result.outcome }, 'stock changed')
    return {
      menu_id: result.menuId,
      restaurant_id: result.restaurantId,
      order_id: orderId,
      operation,
      outcome: result.outcome,
      moved: result.moved,
      stock: result.stock,
    }
  })

  app.post('/inventory/restock', { schema: restockSchema, preHandler: app.requireServiceToken }, async (request) => {
    const { stock, menu_ids: only } = request.body
    const { menus: restocked, missing } = await inventory.restock(stock, only)
    if (missing.length > 0) {
      const named = `${missing.length === 1 ? 'menu' : 'menus'}: ${missing.join(', ')}`
      throw new AppError(404, 'MENU_NOT_FOUND', `No such ${named} (nothing restocked)`, { menu_ids: missing })
    }
    await Promise.all(restocked.map((menu) => menus.invalidateStock(menu.menuId, menu.restaurantId)))
    request.log.info({ stock, menus: restocked.length }, 'menus restocked')
    return { restocked: restocked.length, stock, menu_ids: restocked.map((menu) => menu.menuId) }
  })

  app.get('/inventory/:menuId', { schema: getStockSchema }, async (request) => {
    const ledger = await inventory.ledger(request.params.menuId)
    if (!ledger) throw notFound('MENU_NOT_FOUND', `No menu with id ${request.params.menuId}`)
    return {
      menu_id: ledger.menuId,
      stock: ledger.stock,
      reserved_units: ledger.reservedUnits,
      restored_units: ledger.restoredUnits,
      open_reservations: ledger.openReservations,
    }
  })
}
