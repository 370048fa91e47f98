import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '@food/errors'
import type { MenuCache } from '../cache/menu-cache.ts'
import { getMenuSchema, listMenusSchema } from './catalog.schema.ts'

export const menuRoutes: FastifyPluginAsyncTypebox<{ menus: MenuCache }> = async (app, { menus }) => {
  app.get('/menus', { schema: listMenusSchema }, async (request, reply) => {
    const { value, source } = await menus.list(request.query.restaurant_id)
    return reply.header('x-cache', source).send(value)
  })

  app.get('/menus/:id', { schema: getMenuSchema }, async (request, reply) => {
    const menu = await menus.get(request.params.id)
    if (!menu) throw notFound('MENU_NOT_FOUND', `No menu with id ${request.params.id}`)
    return reply.header('x-cache', menu.source).send(menu.value)
  })
}
