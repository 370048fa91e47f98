import { type TBoolean, type TInteger, Type } from '@sinclair/typebox'
import { FAULT_EXEMPT_PATHS } from './fault-exempt.ts'

const EXEMPT_IN_WORDS = `${FAULT_EXEMPT_PATHS.join(', ')} and what lies under them`

/**
 * A fault a service can switch on with `POST /chaos/{route}` and a body `{<field>: value, ttl_s?}`.
 * The value 0 or false switches it off.
 */
export interface FaultDefinition {
  /** Key in `GET /chaos`, in metrics and in `app.chaos.current(name)`. */
  name: string
  /** Path segment after `/chaos/`; the original sample's clients know routes such as `payment_fail`. */
  route: string
  /** Body field that carries the value, e.g. `delay_ms`, `enable`, `fail_percent`. */
  field: string
  schema: TInteger | TBoolean
  summary: string
  description: string
}

export const delayFault: FaultDefinition = {
  name: 'delay',
  route: 'delay',
  field: 'delay_ms',
  schema: Type.Integer({ minimum: 0, maximum: 60_000, examples: [2000] }),
  summary: 'Add latency to every route',
  description: `Every request but ${EXEMPT_IN_WORDS} waits delay_ms before it is handled. 0 switches it off.`,
}

export const errorFault: FaultDefinition = {
  name: 'error',
  route: 'error',
  field: 'enable',
  schema: Type.Boolean({ examples: [true] }),
  summary: 'Answer 50% of requests with a 500',
  description: `While enabled, half of the requests (chosen at random, or from the seed given) fail with 500 CHAOS_INJECTED_ERROR before their handler runs. Never affects ${EXEMPT_IN_WORDS}.`,
}
