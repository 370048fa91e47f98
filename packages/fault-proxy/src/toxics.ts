/**
 * The toxics, as Toxiproxy names them, with its attributes and defaults: each one a schema (what
 * the API takes) and a default. Defined once here; the API's validation and the links' behaviour
 * read this table. Two are this proxy's own, protocol-aware (protocols/): `http_error` and
 * `postgres_error` answer a share of the requests or queries on the edge itself.
 *
 * An attribute's `valid`, when it has one, says what it takes, and is added to the message that
 * refuses a wrong value.
 */
import { type Static, type TObject, Type } from '@sinclair/typebox'

/** SQLSTATEs an edge's PostgreSQL error is often given, with their condition names. */
const SQLSTATE_EXAMPLES = [
  ['57P01', 'admin_shutdown'],
  ['53300', 'too_many_connections'],
  ['40001', 'serialization_failure'],
  ['57014', 'query_canceled'],
]

const Millis = (description: string) => Type.Integer({ minimum: 0, maximum: 3_600_000, description })

export const TOXIC_ATTRIBUTES = {
  latency: Type.Object(
    {
      latency: Millis('milliseconds added to every chunk of data'),
      jitter: Millis('up to this many milliseconds more or less, at random'),
    },
    { additionalProperties: false },
  ),
  bandwidth: Type.Object(
    { rate: Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'KB per second' }) },
    { additionalProperties: false },
  ),
  slow_close: Type.Object({ delay: Millis('milliseconds the close is held back') }, { additionalProperties: false }),
  timeout: Type.Object(
    { timeout: Millis('no data gets through; the connection is closed after this long (0: never)') },
    { additionalProperties: false },
  ),
  reset_peer: Type.Object(
    { timeout: Millis('the connection is reset (TCP RST) after this long (0: at once)') },
    { additionalProperties: false },
  ),
  limit_data: Type.Object(
    {
      bytes: Type.Integer({
        minimum: 0,
        maximum: 2 ** 40,
        description: 'the connection is closed after this many bytes',
      }),
    },
    { additionalProperties: false },
  ),
  http_error: Type.Object(
    {
      status: Type.Integer({
        minimum: 400,
        maximum: 599,
        description: 'the status the request is answered with, by the proxy (default 503)',
        valid: 'an HTTP error status, 400 to 599',
      }),
      body: Type.Optional(
        Type.String({
          maxLength: 65_536,
          description: 'the body of that answer (default none); application/json when it is JSON, else text/plain',
          valid: 'a string of at most 65536 characters',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  postgres_error: Type.Object(
    {
      code: Type.Optional(
        Type.String({
          pattern: '^[0-9A-Z]{5}$',
          description: 'the SQLSTATE of the ErrorResponse the query is answered with (default 57P01)',
          valid: `a SQLSTATE: five digits or capital letters, such as ${SQLSTATE_EXAMPLES.map((example) => example.join(' ')).join(', ')}`,
        }),
      ),
      message: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 1000,
          description: 'its message (default: what PostgreSQL says for that SQLSTATE)',
          valid: 'a string of 1 to 1000 characters',
        }),
      ),
    },
    { additionalProperties: false },
  ),
} satisfies Record<string, TObject>

export type ToxicType = keyof typeof TOXIC_ATTRIBUTES
export const TOXIC_TYPES = Object.keys(TOXIC_ATTRIBUTES) as ToxicType[]
export type ToxicAttributes<T extends ToxicType = ToxicType> = Static<(typeof TOXIC_ATTRIBUTES)[T]>

/** What an attribute left out is: Toxiproxy's zero values. */
export const DEFAULT_ATTRIBUTES: { [T in ToxicType]: ToxicAttributes<T> } = {
  latency: { latency: 0, jitter: 0 },
  bandwidth: { rate: 0 },
  slow_close: { delay: 0 },
  timeout: { timeout: 0 },
  reset_peer: { timeout: 0 },
  limit_data: { bytes: 0 },
  // The protocol toxics' string attributes are shown only when given (the services' chaos planes
  // show an edge's attributes as numbers).
  http_error: { status: 503 },
  postgres_error: {},
}

/**
 * Toxics that act on each request or query of a connection rather than on its bytes: `toxicity` is
 * the share of requests (queries) each answers, drawn for every one; the stream only names it.
 */
export const REQUEST_TOXICS: ReadonlySet<ToxicType> = new Set(['http_error', 'postgres_error'])

/** `upstream`: client to server; `downstream` (the default): server to client. */
export const STREAMS = ['upstream', 'downstream'] as const
export type Stream = (typeof STREAMS)[number]

export interface Toxic {
  name: string
  type: ToxicType
  stream: Stream
  /**
   * The chance, 0 to 1, that the toxic acts on a connection (drawn once per connection); for
   * REQUEST_TOXICS, on a request or query (drawn for each).
   */
  toxicity: number
  attributes: ToxicAttributes
}
