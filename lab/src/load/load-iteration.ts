/**
 * One iteration of a load's virtual user, and what it works with: its account, the load's menu, the
 * fleet's client (docs/load-testing.md#the-seven-load-experiments).
 */
import type { FleetClient } from '../fleet/fleet-client.ts'

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

/** One iteration of one virtual user: a load profile's work. */
export type Iteration = (context: IterationContext) => Promise<void>

export const order = (context: IterationContext, quantity: number) =>
  context.client.call('order', 'POST', '/orders', {
    token: context.user.token,
    json: { items: [{ menu_id: context.menuId, quantity }], address: 'Load test street 1', phone: '010-0000-0000' },
  })
