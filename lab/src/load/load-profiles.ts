/** The load profiles an experiment's `load` action names (docs/experiments.md#providers). */
import { type Iteration, type LoadUser, order } from './load-iteration.ts'

/** How many iterations each shopper has done: the shop profile logs in on every fourth. */
const shopIterations = new WeakMap<LoadUser, number>()

/** What one virtual user does, again and again, while a load runs. */
export interface LoadProfile {
  description: string
  iteration: Iteration
}

/** The load runner's profiles: the scenarios' and experiments' `load` actions name one of these. */
export const LOAD_PROFILES = {
  'order-then-read': {
    description: 'order one of the menu, then read the order back',
    iteration: async (context) => {
      const placed = await order(context, 1)
      if (placed.body?.id) {
        await context.client.call('order', 'GET', `/orders/${placed.body.id}`, {
          token: context.user.token,
          endpoint: 'GET /orders/{id}',
        })
      }
    },
  },
  order: {
    description: 'order one of the menu',
    iteration: async (context) => {
      await order(context, 1)
    },
  },
  'cancel-reorder': {
    description: 'order two, read, cancel, order one again',
    iteration: async (context) => {
      const placed = await order(context, 2)
      if (placed.status !== 201) return
      const path = `/orders/${placed.body.id}`
      await context.client.call('order', 'GET', path, { token: context.user.token, endpoint: 'GET /orders/{id}' })
      await context.client.call('order', 'POST', `${path}/cancel`, {
        token: context.user.token,
        endpoint: 'POST /orders/{id}/cancel',
      })
      await order(context, 1)
    },
  },
  'cache-reads': {
    description: 'read the menus and the menu, order one, read the order three times',
    iteration: async (context) => {
      await context.client.call('restaurant', 'GET', '/menus')
      await context.client.call('restaurant', 'GET', `/menus/${context.menuId}`, { endpoint: 'GET /menus/{id}' })
      const placed = await order(context, 1)
      for (let i = 0; i < 3 && placed.body?.id; i++) {
        await context.client.call('order', 'GET', `/orders/${placed.body.id}`, {
          token: context.user.token,
          endpoint: 'GET /orders/{id}',
        })
      }
    },
  },
  shop: {
    description:
      'every journey an SLO watches: log in (every fourth time), read the menus, order one, read it; cancel every other order',
    iteration: async (context) => {
      const { client, user } = context
      const count = shopIterations.get(user) ?? 0
      shopIterations.set(user, count + 1)
      // A login hashes a password (scrypt): one in four keeps the login SLO fed without a hashing flood.
      if (count % 4 === 0)
        await client.call('user', 'POST', '/login', { json: { username: user.username, password: user.password } })
      await client.call('restaurant', 'GET', '/menus')
      const placed = await order(context, 1)
      if (placed.status !== 201) return
      const path = `/orders/${placed.body.id}`
      await client.call('order', 'GET', path, { token: user.token, endpoint: 'GET /orders/{id}' })
      if (count % 2 === 1)
        await client.call('order', 'POST', `${path}/cancel`, {
          token: user.token,
          endpoint: 'POST /orders/{id}/cancel',
        })
    },
  },
  'full-flow': {
    description: 'sign up, read the menus, order, read the order, cancel it',
    iteration: async (context) => {
      const user = await context.newUser()
      const own = { ...context, user }
      await context.client.call('restaurant', 'GET', '/menus')
      const placed = await order(own, 1)
      if (placed.status !== 201) return
      await context.client.call('order', 'GET', `/orders/${placed.body.id}`, {
        token: user.token,
        endpoint: 'GET /orders/{id}',
      })
      await context.client.call('order', 'POST', `/orders/${placed.body.id}/cancel`, {
        token: user.token,
        endpoint: 'POST /orders/{id}/cancel',
      })
    },
  },
} as const satisfies Record<string, LoadProfile>

export type LoadProfileName = keyof typeof LOAD_PROFILES
export const LOAD_PROFILE_NAMES = Object.keys(LOAD_PROFILES) as LoadProfileName[]
