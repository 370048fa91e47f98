import type { FleetClient, Service } from './fleet-client.ts'

/** A fault switched on for part of the run: `from` and `until` are fractions of its duration. */
export interface ChaosStep {
  service: Service
  fault: string
  value: number | boolean
  from: number
  until: number
}

export interface LoadUser {
  username: string
  password: string
  token: string
}

export interface IterationContext {
  client: FleetClient
  /** This virtual user's account. */
  user: LoadUser
  menuId: number
  /** Makes a fresh account (the full-flow scenario signs up on every iteration). */
  newUser(): Promise<LoadUser>
}

export interface Scenario {
  name: string
  description: string
  /** The load as its experiment file writes it, for a run that is not told otherwise. */
  durationS: number
  concurrency: number
  /** Stock of the menu the scenario creates for itself. */
  stock: number
  chaos: ChaosStep[]
  /** One iteration of one virtual user. */
  iteration(context: IterationContext): Promise<void>
  /** Least share of cached reads answered from Redis, for scenarios that measure the cache. */
  minCacheHitRatio?: number
}

export const order = (context: IterationContext, quantity: number) =>
  context.client.call('order', 'POST', '/orders', {
    token: context.user.token,
    json: { items: [{ menu_id: context.menuId, quantity }], address: 'Load test street 1', phone: '010-0000-0000' },
  })
