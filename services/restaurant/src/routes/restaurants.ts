import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '@food/errors'
import type { CatalogRepository } from '../db/catalog-repository.ts'
import { LOAD_KITCHEN } from '../domain/catalog.ts'
import { getRestaurantSchema, listRestaurantsSchema, loadKitchenSchema } from './catalog.schema.ts'

export const restaurantRoutes: FastifyPluginAsyncTypebox<{ catalog: CatalogRepository }> = async (app, { catalog }) => {
  app.get('/restaurants', { schema: listRestaurantsSchema }, () => catalog.listRestaurants())

  app.post(
    '/restaurants/load-kitchen',
    { schema: loadKitchenSchema, preHandler: app.requireServiceToken },
    async () => ({
      id: await catalog.loadKitchen(),
      name: LOAD_KITCHEN.name,
      category: LOAD_KITCHEN.category,
    }),
  )

  app.get('/restaurants/:id', { schema: getRestaurantSchema }, async (request) => {
    const restaurant = await catalog.findRestaurant(request.params.id)
    if (!restaurant) throw notFound('RESTAURANT_NOT_FOUND', `No restaurant with id ${request.params.id}`)
    return restaurant
  })
}
