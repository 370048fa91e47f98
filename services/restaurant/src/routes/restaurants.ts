import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '@food/errors'
import type { CatalogRepository } from '../db/catalog-repository.ts'
import { getRestaurantSchema, listRestaurantsSchema } from './catalog.schema.ts'

export const restaurantRoutes: FastifyPluginAsyncTypebox<{ catalog: CatalogRepository }> = async (app, { catalog }) => {
  app.get('/restaurants', { schema: listRestaurantsSchema }, () => catalog.listRestaurants())

  app.get('/restaurants/:id', { schema: getRestaurantSchema }, async (request) => {
    const restaurant = await catalog.findRestaurant(request.params.id)
    if (!restaurant) throw notFound('RESTAURANT_NOT_FOUND', `No restaurant with id ${request.params.id}`)
    return restaurant
  })
}
