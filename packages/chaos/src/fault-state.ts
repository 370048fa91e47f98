import { type Static, Type } from '@sinclair/typebox'

export type FaultValue = number | boolean

/** A fault in force, in this process. */
export interface ActiveFault {
  value: FaultValue
  setAt: Date
  expiresAt: Date | null
  /** Where its chances are drawn from: a seed replays the same draws; null, Math.random. */
  seed: number | null
}

/**
 * A fault in force on the wire: as GET /chaos shows it, as the replicas share it through Redis,
 * and as the chaos console reads it. One shape, its type derived from it.
 */
export const FaultState = Type.Object({
  value: Type.Union([Type.Integer(), Type.Boolean()]),
  set_at: Type.String({ format: 'date-time' }),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  seed: Type.Union([Type.Integer(), Type.Null()], {
    description: 'the seed its chances are drawn from; null: at random',
  }),
})
export type FaultStateView = Static<typeof FaultState>

export const toFaultState = (fault: ActiveFault): FaultStateView => ({
  value: fault.value,
  set_at: fault.setAt.toISOString(),
  expires_at: fault.expiresAt?.toISOString() ?? null,
  seed: fault.seed,
})

/** `seed` may be absent from what a replica before seeds shared. */
export const fromFaultState = (state: Omit<FaultStateView, 'seed'> & { seed?: number | null }): ActiveFault => ({
  value: state.value,
  setAt: new Date(state.set_at),
  expiresAt: state.expires_at === null ? null : new Date(state.expires_at),
  seed: state.seed ?? null,
})
