/** What a protocol exchange (http.ts, postgres.ts) is given, and what it is. */
import type { Toxic, ToxicType } from '../toxics.ts'

/** What an exchange does with the bytes: each call in order, each direction's order kept. */
export interface ExchangeIo {
  /** Bytes on to the server (through the upstream stream's toxics). */
  toServer(bytes: Buffer): void
  /** Bytes on to the client (through the downstream stream's toxics). */
  toClient(bytes: Buffer): void
  /** Closes the connection once what was sent to the client has gone. */
  end(): void
  /** The toxics of this type in force now, on either stream. */
  toxics(type: ToxicType): Toxic[]
  /** The proxy's random numbers in [0, 1): one drawn per toxic for each request or query. */
  random(): number
}

export interface Exchange {
  fromClient(chunk: Buffer): void
  fromServer(chunk: Buffer): void
}

/**
 * The first toxic that strikes this request or query: each toxic of the type draws its own number
 * against its toxicity, in the order they were added, so a seeded proxy strikes the same ones.
 */
export function strikingToxic(io: ExchangeIo, type: ToxicType): Toxic | undefined {
  let struck: Toxic | undefined
  for (const toxic of io.toxics(type)) {
    if (io.random() < toxic.toxicity && !struck) struck = toxic
  }
  return struck
}
