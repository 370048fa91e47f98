import { type Static, Type } from '@sinclair/typebox'

/** The one error body of the whole fleet: `{"error": {"code", "message", "details"?}}`. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable, machine-readable code', examples: ['VALIDATION_ERROR'] }),
      message: Type.String({ description: 'Human-readable explanation' }),
      details: Type.Optional(Type.Unknown({ description: 'Extra context, e.g. the failing fields' })),
    }),
  },
  { $id: 'ErrorResponse', title: 'ErrorResponse' },
)
export type ErrorResponse = Static<typeof ErrorResponse>

/** Reference to the shared schema, for `response: { 4xx: errorRef }` in route schemas. */
export const errorRef = Type.Ref(ErrorResponse)
