/**
 * The lab's load runner: virtual users with accounts of their own, ordering from a menu of the load's
 * own (docs/load-testing.md#the-seven-load-experiments).
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { serviceAuthorization } from '@food/service-auth'
import type { FleetClient } from '../fleet/fleet-client.ts'
import type { Recorder } from '../fleet/recorder.ts'
import type { Iteration, IterationContext, LoadUser } from './load-iteration.ts'

/** How long a virtual user waits after a call that got no answer (refused, reset, timed out). */
const NO_ANSWER_BACKOFF_MS = 50

export interface LoadOptions {
  /** Names the load's menu and users (`load <name> <run id>`). */
  name: string
  iteration: Iteration
  /** Stock of the menu the load creates for itself. */
  stock: number
  concurrency: number
  durationMs: number
  /** The load stops at this many recorded requests even before its duration is up. */
  maxRequests: number
  /** The fleet's SERVICE_TOKEN: the menu is made through the restaurant's internal route. */
  serviceToken: string
}

/** A load under way: its own users and menu (what the invariants are checked against). */
export interface RunningLoad {
  users: LoadUser[]
  menuId: number
  stock: number
  /** When its virtual users started, in the recorder's milliseconds. */
  startedAtMs: number
  /** Settles when every virtual user has stopped. */
  done: Promise<void>
  stop(): void
}

async function createUser(client: FleetClient, runId: string, index: string): Promise<LoadUser> {
  const username = `load-${runId}-${index}`
  const password = randomBytes(12).toString('hex')
  const signup = await client.call('user', 'POST', '/signup', { json: { username, password }, record: false })
  if (signup.status !== 201) throw new Error(`signup failed (${signup.status}): ${JSON.stringify(signup.body)}`)
  const login = await client.call('user', 'POST', '/login', { json: { username, password }, record: false })
  if (login.status !== 200) throw new Error(`login failed (${login.status})`)
  return { username, password, token: login.body.access_token }
}

async function createMenu(client: FleetClient, name: string, stock: number, serviceToken: string): Promise<number> {
  // The load kitchen, not a shop restaurant: the run's menu stays out of the shop and of restock.
  const kitchen = await client.call('restaurantInternal', 'POST', '/restaurants/load-kitchen', {
    headers: serviceAuthorization(serviceToken),
    record: false,
  })
  const restaurantId = kitchen.body?.id
  if (kitchen.status !== 200 || !restaurantId) throw new Error(`could not find the load kitchen (${kitchen.status})`)
  const menu = await client.call('restaurantInternal', 'POST', '/menus', {
    json: { restaurant_id: restaurantId, name, price: 1000, stock },
    headers: serviceAuthorization(serviceToken),
    record: false,
  })
  if (menu.status !== 201) throw new Error(`could not create the load's menu (${menu.status})`)
  return menu.body.id
}

/**
 * Starts `concurrency` virtual users, each with its own account, ordering from a menu made for
 * this load, each repeating the iteration until the duration is up, the request cap is reached
 * or `stop()` is called.
 */
export async function startLoad(client: FleetClient, recorder: Recorder, options: LoadOptions): Promise<RunningLoad> {
  const runId = randomBytes(3).toString('hex')
  const users = await Promise.all(
    Array.from({ length: options.concurrency }, (_, i) => createUser(client, runId, String(i))),
  )
  const menuId = await createMenu(client, `load ${options.name} ${runId}`, options.stock, options.serviceToken)
  const startedAtMs = recorder.elapsedMs()
  let stopped = false
  let nextUser = 0
  const context = (user: LoadUser): IterationContext => ({
    client,
    user,
    menuId,
    newUser: async () => {
      const made = await createUser(client, runId, `flow-${nextUser++}`)
      users.push(made)
      return made
    },
  })
  const running = () =>
    !stopped && recorder.elapsedMs() - startedAtMs < options.durationMs && recorder.samples.length < options.maxRequests
  const done = Promise.all(
    users.slice(0, options.concurrency).map(async (user) => {
      while (running()) {
        const before = recorder.samples.length
        await options.iteration(context(user))
        // A service that answers nothing at all (down, killed) is not hammered while it comes back.
        if (recorder.samples.slice(before).some((sample) => sample.status === 0)) await sleep(NO_ANSWER_BACKOFF_MS)
      }
    }),
  ).then(() => undefined)
  return {
    users,
    menuId,
    stock: options.stock,
    startedAtMs,
    done,
    stop: () => {
      stopped = true
    },
  }
}
