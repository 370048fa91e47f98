import { type Static, Type } from '@sinclair/typebox'

/**
 * A stock change, as the restaurant's `PUT /inventory/:menuId` takes and answers it and the order
 * service's saga sends and reads it: one definition for both sides of the wire.
 */
export const StockOperation = Type.Union([Type.Literal('reserve'), Type.Literal('restore')], {
  examples: ['reserve'],
})
export type StockOperation = Static<typeof StockOperation>

export const StockOutcome = Type.Union(
  [Type.Literal('reserved'), Type.Literal('restored'), Type.Literal('replayed'), Type.Literal('voided')],
  { description: 'replayed: this change was already made; voided: restore before any reserve' },
)
export type StockOutcome = Static<typeof StockOutcome>

/** The most units one stock change moves. */
export const MAX_STOCK_CHANGE = 1000

export const StockChangeRequest = Type.Object(
  {
    order_id: Type.String({
      pattern: '^[A-Za-z0-9_.:-]{1,64}$',
      description: 'The order this change is for',
      examples: ['42'],
    }),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_STOCK_CHANGE, examples: [2] }),
    operation: StockOperation,
  },
  { additionalProperties: false },
)
export type StockChangeRequest = Static<typeof StockChangeRequest>

export const StockChangeAnswer = Type.Object({
  menu_id: Type.Integer(),
  restaurant_id: Type.Integer(),
  order_id: Type.String(),
  operation: StockOperation,
  outcome: StockOutcome,
  moved: Type.Integer({ description: 'Units moved by this call (0 for replayed and voided)' }),
  stock: Type.Integer({ description: 'Stock after the change' }),
})
export type StockChangeAnswer = Static<typeof StockChangeAnswer>
