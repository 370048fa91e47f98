import { errorResponse } from '@food/errors'
import { Type } from '@sinclair/typebox'
import { AccountView } from '../domain/user.ts'

const Username = Type.String({
  minLength: 3,
  maxLength: 32,
  pattern: '^[A-Za-z0-9_.-]+$',
  description: '3–32 letters, digits, `_`, `.` or `-`',
  examples: ['alice'],
})
// Four characters minimum only because the original sample's own examples use `pass`: this is a testbed.
const Password = Type.String({ minLength: 4, maxLength: 128, examples: ['s3cret-pass'] })

export const signupSchema = {
  tags: ['auth'],
  summary: 'Create an account',
  description: 'Creates a user. The password is stored as a scrypt hash and never returned.',
  body: Type.Object(
    {
      username: Username,
      password: Password,
      email: Type.Optional(Type.String({ format: 'email', maxLength: 254, examples: ['alice@example.com'] })),
    },
    { additionalProperties: false },
  ),
  response: {
    201: AccountView,
    400: errorResponse(
      400,
      'VALIDATION_ERROR, or USERNAME_TAKEN / EMAIL_TAKEN (400 as in the original sample, whose load scripts go on after 201 or 400)',
    ),
    503: errorResponse(503, 'AUTH_BUSY (too many password hashes at once) or DATABASE_UNAVAILABLE'),
  },
}

export const loginSchema = {
  tags: ['auth'],
  summary: 'Log in and get a Bearer token',
  description:
    "Accepts JSON, an OAuth2 password form (`application/x-www-form-urlencoded` with `username` and `password`; other OAuth2 fields are ignored) or the same fields as `multipart/form-data` (a browser FormData, also when it is sent labelled as JSON, as the original sample's web front end does). Unknown user and wrong password get the same 401.",
  consumes: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
  body: Type.Object({
    username: Type.String({ minLength: 1, maxLength: 64, examples: ['user'] }),
    password: Type.String({ minLength: 1, maxLength: 128, examples: ['pass'] }),
  }),
  response: {
    200: Type.Object({
      access_token: Type.String(),
      token_type: Type.Literal('bearer'),
      expires_in: Type.Integer({ description: 'Seconds until the token expires', examples: [3600] }),
    }),
    400: errorResponse(
      400,
      'VALIDATION_ERROR, INVALID_JSON, or INVALID_FORM (a multipart body with a file or oversized fields)',
    ),
    401: errorResponse(401, 'INVALID_CREDENTIALS, the same for an unknown user and a wrong password'),
    429: errorResponse(
      429,
      'TOO_MANY_ATTEMPTS: the account or this address used up its failed logins; Retry-After says when to try again',
    ),
    503: errorResponse(503, 'AUTH_BUSY (too many password checks at once) or DATABASE_UNAVAILABLE'),
  },
}

const MAX_VALIDATE_DELAY_MS = 30_000

export const validateSchema = {
  tags: ['auth'],
  summary: 'Check a Bearer token (used by the order service)',
  description:
    'Answers 200 when the token is valid and its user still exists. `delay` holds the answer back that many milliseconds, to rehearse a slow dependency.',
  security: [{ bearerAuth: [] }],
  querystring: Type.Object({
    delay: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_VALIDATE_DELAY_MS, examples: [2000] })),
  }),
  response: {
    200: Type.Object({
      valid: Type.Literal(true),
      user_id: Type.Integer({ examples: [1] }),
      username: Type.String({ examples: ['user'] }),
    }),
    400: errorResponse(400),
    401: errorResponse(401, 'TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, or USER_NOT_FOUND (the user is gone)'),
    503: errorResponse(503),
  },
}
