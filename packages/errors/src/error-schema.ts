import { type Static, Type } from '@sinclair/typebox'

/**
 * The one error body of the whole fleet: `{"error": {"code", "message", "details"?}, "detail"}`.
 * `detail` repeats the message where the original sample's clients read it (`data.detail`).
 */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable, machine-readable code', examples: ['VALIDATION_ERROR'] }),
      message: Type.String({ description: 'Human-readable explanation' }),
      details: Type.Optional(Type.Unknown({ description: 'Extra context, e.g. the failing fields' })),
    }),
    detail: Type.String({ description: "`error.message` again, where the original sample's clients read it" }),
  },
  { $id: 'ErrorResponse', title: 'ErrorResponse' },
)
export type ErrorResponse = Static<typeof ErrorResponse>

/** The fleet's error body for a code and a message (and details, when there are any). */
export const errorBody = (code: string, message: string, details?: unknown): ErrorResponse => ({
  error: details === undefined ? { code, message } : { code, message, details },
  detail: message,
})

const MEANINGS: Record<number, string> = {
  400: 'Invalid input: VALIDATION_ERROR names the failing fields',
  401: 'No valid Bearer token (TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED)',
  404: 'Not found',
  409: 'Conflicts with the current state',
  500: 'Injected by chaos (CHAOS_INJECTED_ERROR), or a bug (INTERNAL_ERROR)',
  503: 'Something it needs is unavailable: DATABASE_UNAVAILABLE (PostgreSQL) or DEPENDENCY_UNAVAILABLE (a service)',
  504: 'Something it needs did not answer in time (DEPENDENCY_TIMEOUT)',
}

/** The shared error body as one response of a route, with what it means there (for the docs). */
export const errorResponse = (status: number, description = MEANINGS[status] ?? 'Error') =>
  Type.Ref(ErrorResponse, { description })
