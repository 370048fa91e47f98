import { errorResponse } from '@food/errors'
import { POSTGRES_INT_MAX } from '@food/postgres'
import { Type } from '@sinclair/typebox'
import { MAX_QUANTITY_PER_MENU, OrderView } from '../domain/order.ts'

/** What the original sample answers to a cancel; kept beside the order. */
export const CANCELLED_MESSAGE = 'Order cancelled successfully' as const

const Id = Type.Integer({ minimum: 1, maximum: POSTGRES_INT_MAX, examples: [1] })
const security = [{ bearerAuth: [] }]

const orderRef = Type.Ref(OrderView)

export const placeOrderSchema = {
  tags: ['orders'],
  summary: 'Place an order (the saga)',
  description: `Validates the caller with the user service, prices the items at the restaurant service, stores the
order PENDING, reserves the stock, takes the (simulated) payment. **201** with the order when it is CONFIRMED,
and also when the payment failed (status FAILED, payment_status failed, stock given back). 409 OUT_OF_STOCK,
401 for a bad token, 503/504 when a service it needs is down or too slow (stock given back). Repeated menu ids
are merged. With an Idempotency-Key, a repeat of the same request by the same user returns the same order
(header Idempotent-Replayed: true), and the key with another request is 422 IDEMPOTENCY_KEY_REUSED; a repeat
while the first is still running is 409 IDEMPOTENCY_KEY_IN_USE; a repeat of one that failed out of stock or on a
dependency (409/503/504) places the order anew.`,
  security,
  headers: Type.Object({
    'idempotency-key': Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'Makes a retry safe', examples: ['7b9c-1'] }),
    ),
  }),
  body: Type.Object(
    {
      items: Type.Array(
        Type.Object(
          {
            menu_id: Id,
            quantity: Type.Integer({ minimum: 1, maximum: MAX_QUANTITY_PER_MENU, examples: [2] }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 20 },
      ),
      address: Type.String({ minLength: 1, maxLength: 200, examples: ['서울 강남구 테헤란로 1'] }),
      phone: Type.String({ pattern: '^[0-9+()\\- ]{7,20}$', examples: ['010-1234-5678'] }),
    },
    { additionalProperties: false },
  ),
  response: {
    201: Type.Ref(OrderView, { description: 'The order: CONFIRMED, or FAILED with payment_status failed' }),
    400: errorResponse(400, 'VALIDATION_ERROR, UNKNOWN_MENU, QUANTITY_TOO_LARGE or ORDER_TOTAL_TOO_LARGE'),
    401: errorResponse(401),
    409: errorResponse(
      409,
      'OUT_OF_STOCK: details name the menu and what is left; STOCK_REFUSED: the restaurant refused the reservation (details.refusal); the order is stored FAILED. IDEMPOTENCY_KEY_IN_USE: a request with this key is still running',
    ),
    422: errorResponse(422, 'IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used with another request'),
    503: errorResponse(
      503,
      'DEPENDENCY_UNAVAILABLE: the restaurant or user service is down, any stock taken is given back; DATABASE_UNAVAILABLE: the order database is down',
    ),
    504: errorResponse(504, 'The restaurant or user service was too slow; any stock taken is given back'),
  },
}

export const listOrdersSchema = {
  tags: ['orders'],
  summary: 'The caller’s orders, newest first',
  security,
  querystring: Type.Object({
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  }),
  response: {
    200: Type.Object({
      orders: Type.Array(orderRef),
      total: Type.Integer(),
      limit: Type.Integer(),
      offset: Type.Integer(),
    }),
    400: errorResponse(400),
    401: errorResponse(401),
    503: errorResponse(503),
    504: errorResponse(504),
  },
}

export const getOrderSchema = {
  tags: ['orders'],
  summary: 'One of the caller’s orders',
  description: 'Cached in Redis (5 min); every status change invalidates it. The `X-Cache` header says HIT or MISS.',
  security,
  params: Type.Object({ id: Id }),
  response: {
    200: orderRef,
    400: errorResponse(400),
    401: errorResponse(401),
    404: errorResponse(404, 'ORDER_NOT_FOUND, also for another user’s order'),
    503: errorResponse(503),
    504: errorResponse(504),
  },
}

export const cancelOrderSchema = {
  tags: ['orders'],
  summary: 'Cancel a CONFIRMED order, its stock given back once, or a FAILED one, giving back nothing',
  security,
  params: Type.Object({ id: Id }),
  response: {
    200: Type.Composite(
      [
        OrderView,
        Type.Object({
          message: Type.Literal(CANCELLED_MESSAGE, { description: 'The original sample’s answer, beside the order' }),
          order_id: Type.Integer({ description: 'The same as `id` (the original sample’s field)' }),
        }),
      ],
      {
        description:
          'The order, CANCELLED; a CONFIRMED one’s stock given back (a FAILED one’s went back when it failed)',
      },
    ),
    400: errorResponse(400),
    401: errorResponse(401),
    404: errorResponse(404, 'ORDER_NOT_FOUND, also for another user’s order'),
    409: errorResponse(409, 'ORDER_NOT_CANCELLABLE: only a CONFIRMED or FAILED order can be cancelled'),
    503: errorResponse(503),
    504: errorResponse(504),
  },
}
