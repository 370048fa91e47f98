import { StockChangeAnswer, StockChangeRequest } from '@food/contracts'
import { errorResponse } from '@food/errors'
import { POSTGRES_INT_MAX } from '@food/postgres'
import { Type } from '@sinclair/typebox'

const MenuIdParams = Type.Object({ menuId: Type.Integer({ minimum: 1, maximum: POSTGRES_INT_MAX, examples: [1] }) })

export const changeStockSchema = {
  tags: ['inventory'],
  summary: 'Reserve or restore stock for an order (the order service only: SERVICE_TOKEN)',
  description: `Runs under the configured locking strategy (\`GET /chaos\` shows it). Idempotent per (order, menu):
a repeated reserve does not take stock twice; a restore gives back exactly what the order reserved, once;
a restore for an order that never reserved gives back nothing and bars a later reserve for it.
Stock never goes below zero: 409 INSUFFICIENT_STOCK with the available quantity, and nothing changes.
Internal: the caller shows the fleet's SERVICE_TOKEN as a Bearer token; the gateway never forwards it.`,
  security: [{ bearerAuth: [] }],
  params: MenuIdParams,
  body: StockChangeRequest,
  response: {
    200: StockChangeAnswer,
    400: errorResponse(400),
    401: errorResponse(401, 'SERVICE_TOKEN_INVALID: not called by one of the fleet’s services'),
    404: errorResponse(404, 'MENU_NOT_FOUND'),
    409: errorResponse(
      409,
      'INSUFFICIENT_STOCK (details.available; nothing changed), RESERVATION_MISMATCH or RESERVATION_CLOSED',
    ),
    503: errorResponse(
      503,
      'STOCK_CONTENTION: the change lost too many races in a row, try again; or DATABASE_UNAVAILABLE (nothing changed)',
    ),
  },
}

export const getStockSchema = {
  tags: ['inventory'],
  summary: 'Stock of a menu beside what orders hold',
  description: 'While only orders move stock, `stock + reserved_units` stays equal to the initial stock.',
  params: MenuIdParams,
  response: {
    200: Type.Object({
      menu_id: Type.Integer(),
      stock: Type.Integer(),
      reserved_units: Type.Integer({ description: 'Units held by orders (reservations not restored)' }),
      restored_units: Type.Integer({ description: 'Units given back by restores' }),
      open_reservations: Type.Integer(),
    }),
    400: errorResponse(400),
    404: errorResponse(404, 'MENU_NOT_FOUND'),
    503: errorResponse(503),
  },
}

export const restockSchema = {
  tags: ['inventory'],
  summary: 'Set the stock of every menu (or of those named) back, between experiments (SERVICE_TOKEN)',
  description: `What \`npm run restock\` calls: the stock of each menu becomes \`stock\` (the dev seed's 100 unless
told), orders and their reservations untouched, every cached menu and list of those menus invalidated.
Without \`menu_ids\`, the load kitchen's menus (made by load runs) are left as they are; a menu named
that does not exist is a 404 and nothing is set.
Not for a run in progress: its invariants count the stock it started with.
Internal: the caller shows the fleet's SERVICE_TOKEN as a Bearer token; the gateway never forwards it.`,
  security: [{ bearerAuth: [] }],
  body: Type.Object(
    {
      stock: Type.Integer({ minimum: 0, maximum: POSTGRES_INT_MAX, default: 100, examples: [100] }),
      menu_ids: Type.Optional(
        Type.Array(Type.Integer({ minimum: 1, maximum: POSTGRES_INT_MAX }), {
          minItems: 1,
          maxItems: 1000,
          uniqueItems: true,
          description: 'Only these menus; every menu when absent',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      restocked: Type.Integer({ description: 'Menus whose stock was set' }),
      stock: Type.Integer(),
      menu_ids: Type.Array(Type.Integer()),
    }),
    400: errorResponse(400),
    401: errorResponse(401, 'SERVICE_TOKEN_INVALID: not called by one of the fleet’s services'),
    404: errorResponse(
      404,
      'MENU_NOT_FOUND: a menu of `menu_ids` does not exist (`details.menu_ids`); nothing changed',
    ),
    503: errorResponse(503, 'DATABASE_UNAVAILABLE or DATABASE_TIMEOUT (nothing changed)'),
  },
}
