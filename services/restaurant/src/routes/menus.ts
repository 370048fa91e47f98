import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '@food/errors'
import type { CacheResult } from '@food/redis'
import type { FastifyReply } from 'fastify'
import type { MenuCache } from '../cache/menu-cache.ts'
import type { InventoryStore } from '../db/inventory/inventory-store.ts'
import { createMenuSchema, getMenuSchema, listMenusSchema } from './catalog.schema.ts'

/** Sends the JSON bytes of the menu cache as they are: the route's answer, serialised already. */
const sendCached = (reply: FastifyReply, { value, source }: CacheResult<Buffer>) =>
  reply.type('application/json; charset=utf-8').header('x-cache', source).send(value)

export const menuRoutes: FastifyPluginAsyncTypebox<{ menus: MenuCache; inventory: InventoryStore }> = async (
  app,
  { menus, inventory },
) => {
  app.get('/menus', { schema: listMenusSchema }, async (request, reply) =>
    sendCached(reply, await menus.list(request.query.restaurant_id)),
  )

  app.post('/menus', { schema: createMenuSchema, preHandler: app.requireServiceToken }, async (request, reply) => {
    const { restaurant_id: restaurantId, name, description = '', price, stock, image_url: imageUrl } = request.body
    const menu = await inventory.addMenu({ restaurantId, name, description, price, stock, imageUrl: imageUrl ?? null })
    if (!menu) throw notFound('RESTAURANT_NOT_FOUND', `No restaurant with id ${restaurantId}`)
    await menus.invalidateLists(restaurantId)
    return reply.code(201).send(menu)
  })

  app.get('/menus/:id', { schema: getMenuSchema }, async (request, reply) => {
    const menu = await menus.get(request.params.id)
    if (!menu) throw notFound('MENU_NOT_FOUND', `No menu with id ${request.params.id}`)
    return sendCached(reply, menu)
  })
}
