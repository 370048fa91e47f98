import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { badRequest, notFound } from '@food/errors'
import type { OrderCache } from '../cache/order-cache.ts'
import type { OrderRepository } from '../db/order-repository.ts'
import { MAX_QUANTITY_PER_MENU, mergeLines, toOrderView } from '../domain/order.ts'
import type { CancelOrder } from '../saga/cancel-order.ts'
import type { PlaceOrder } from '../saga/place-order.ts'
import {
  CANCELLED_MESSAGE,
  cancelOrderSchema,
  getOrderSchema,
  listOrdersSchema,
  placeOrderSchema,
} from './orders.schema.ts'

export interface OrderRoutesOptions {
  orders: OrderRepository
  cache: OrderCache
  placeOrder: PlaceOrder
  cancelOrder: CancelOrder
}

export const orderRoutes: FastifyPluginAsyncTypebox<OrderRoutesOptions> = async (
  app,
  { orders, cache, placeOrder, cancelOrder },
) => {
  // Every order route is the caller's: the rule stated once for the group (fastify/demo's autohooks.ts).
  app.addHook('preHandler', app.authenticate)

  app.post('/orders', { schema: placeOrderSchema }, async (request, reply) => {
    const lines = mergeLines(request.body.items.map((item) => ({ menuId: item.menu_id, quantity: item.quantity })))
    const tooMany = lines.find((line) => line.quantity > MAX_QUANTITY_PER_MENU)
    if (tooMany) {
      throw badRequest('QUANTITY_TOO_LARGE', `At most ${MAX_QUANTITY_PER_MENU} of menu ${tooMany.menuId} per order`, {
        menu_id: tooMany.menuId,
        quantity: tooMany.quantity,
      })
    }
    const { order, replayed } = await placeOrder.run(request.caller, {
      lines,
      address: request.body.address,
      phone: request.body.phone,
      idempotencyKey: request.headers['idempotency-key'] ?? null,
    })
    if (replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(201).send(toOrderView(order))
  })

  app.get('/orders', { schema: listOrdersSchema }, async (request) => {
    const { limit, offset } = request.query
    const page = await orders.listByUser(request.caller.userId, limit, offset)
    return { orders: page.orders.map(toOrderView), total: page.total, limit, offset }
  })

  app.get('/orders/:id', { schema: getOrderSchema }, async (request, reply) => {
    const order = await cache.get(request.params.id)
    // Someone else's order is answered as missing: its existence is not the caller's business.
    if (!order || order.value.user_id !== request.caller.userId) {
      throw notFound('ORDER_NOT_FOUND', `No order ${request.params.id}`)
    }
    return reply.header('x-cache', order.source).send(order.value)
  })

  app.post('/orders/:id/cancel', { schema: cancelOrderSchema }, async (request) => {
    const order = toOrderView(await cancelOrder.run(request.caller, request.params.id))
    return { ...order, message: CANCELLED_MESSAGE, order_id: order.id }
  })
}
