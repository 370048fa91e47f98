/**
 * The toxics, as Toxiproxy names them, with its attributes and defaults: each one a schema (what
 * the API takes) and a default. Defined once here; the API's validation and the links' behaviour
 * read this table.
 */
import { type Static, type TObject, Type } from '@sinclair/typebox'

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
}

/** `upstream`: client to server; `downstream` (the default): server to client. */
export const STREAMS = ['upstream', 'downstream'] as const
export type Stream = (typeof STREAMS)[number]

export interface Toxic {
  name: string
  type: ToxicType
  stream: Stream
  /** The chance, 0 to 1, that the toxic acts on a connection (drawn once per connection). */
  toxicity: number
  attributes: ToxicAttributes
}
