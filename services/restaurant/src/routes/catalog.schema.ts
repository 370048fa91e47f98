import { errorResponse } from '@food/errors'
import { POSTGRES_INT_MAX } from '@food/postgres'
import { Type } from '@sinclair/typebox'
import { MenuView, RestaurantView } from '../domain/catalog.ts'

const Id = Type.Integer({ minimum: 1, maximum: POSTGRES_INT_MAX, examples: [1] })

export const listMenusSchema = {
  tags: ['menus'],
  summary: 'All menus, optionally of one restaurant',
  description:
    'Cached in Redis (10 s by default); a stock change invalidates it. The `X-Cache` header says HIT or MISS.',
  querystring: Type.Object({ restaurant_id: Type.Optional(Id) }),
  response: { 200: Type.Array(Type.Ref(MenuView)), 400: errorResponse(400), 503: errorResponse(503) },
}

export const getMenuSchema = {
  tags: ['menus'],
  summary: 'One menu with its current stock',
  description:
    'Cached in Redis (30 s by default); a stock change invalidates it. The `X-Cache` header says HIT or MISS.',
  params: Type.Object({ id: Id }),
  response: {
    200: Type.Ref(MenuView),
    400: errorResponse(400),
    404: errorResponse(404, 'MENU_NOT_FOUND'),
    503: errorResponse(503),
  },
}

export const listRestaurantsSchema = {
  tags: ['restaurants'],
  summary: 'All restaurants with their menus',
  response: { 200: Type.Array(Type.Ref(RestaurantView)), 503: errorResponse(503) },
}

export const getRestaurantSchema = {
  tags: ['restaurants'],
  summary: 'One restaurant with its menus',
  params: Type.Object({ id: Id }),
  response: {
    200: Type.Ref(RestaurantView),
    400: errorResponse(400),
    404: errorResponse(404, 'RESTAURANT_NOT_FOUND'),
    503: errorResponse(503),
  },
}

export const loadKitchenSchema = {
  tags: ['restaurants'],
  summary: 'The load kitchen: the restaurant the load runs add their menus to, made the first time',
  description:
    'Keeps the menus the lab makes for itself out of the shop’s restaurants; `npm run restock` leaves its menus alone. Internal: the caller shows the fleet’s SERVICE_TOKEN as a Bearer token; the gateway never forwards it.',
  security: [{ bearerAuth: [] }],
  response: {
    200: Type.Object({ id: Id, name: Type.String(), category: Type.String() }, { description: 'The load kitchen' }),
    401: errorResponse(401, 'SERVICE_TOKEN_INVALID: not called by one of the fleet’s services'),
    503: errorResponse(503),
  },
}

export const createMenuSchema = {
  tags: ['menus'],
  summary: 'Add a menu to a restaurant',
  description:
    'The load scenarios create menus with the stock they need, so their invariants start from a known value. Internal: the caller shows the fleet’s SERVICE_TOKEN as a Bearer token; the gateway never forwards it.',
  security: [{ bearerAuth: [] }],
  body: Type.Object(
    {
      restaurant_id: Id,
      name: Type.String({ minLength: 1, maxLength: 100, examples: ['불고기'] }),
      description: Type.Optional(Type.String({ maxLength: 500 })),
      price: Type.Integer({ minimum: 0, maximum: 10_000_000, examples: [12000] }),
      stock: Type.Integer({ minimum: 0, maximum: 10_000_000, examples: [100] }),
      image_url: Type.Optional(Type.String({ maxLength: 500, examples: ['https://example.com/bulgogi.jpg'] })),
    },
    { additionalProperties: false },
  ),
  response: {
    201: Type.Ref(MenuView, { description: 'The new menu' }),
    400: errorResponse(400),
    401: errorResponse(401, 'SERVICE_TOKEN_INVALID: not called by one of the fleet’s services'),
    404: errorResponse(404, 'RESTAURANT_NOT_FOUND'),
    503: errorResponse(503),
  },
}
