/**
 * What a load run leaves in the shop: its menu goes to the load kitchen, a restaurant of its own
 * made once, never to the shop's first restaurant; `npm run restock` (run as a user runs it)
 * leaves the kitchen's menus alone, and names a menu that does not exist.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { seedDevData, type TestFleet } from '@food/order-service/test-fleet'
import { describe, expect } from 'vitest'
import { FleetClient } from '../src/fleet/fleet-client.ts'
import { Recorder } from '../src/fleet/recorder.ts'
import { startLoad } from '../src/load/load.ts'
import { LOAD_PROFILES } from '../src/load/load-profiles.ts'
import { fleetTargets } from './experiment-env.ts'
import { FLEET_START_MS, test } from './fixtures.ts'

test.beforeAll(({ fleet }) => seedDevData(fleet), FLEET_START_MS)

/** A short load's menu id, as an experiment or a scenario makes it. */
async function loadRunMenu(fleet: TestFleet, name: string): Promise<number> {
  const recorder = new Recorder()
  const client = new FleetClient(fleetTargets(fleet), recorder)
  try {
    const load = await startLoad(client, recorder, {
      name,
      iteration: LOAD_PROFILES.order.iteration,
      stock: 50,
      concurrency: 1,
      durationMs: 300,
      maxRequests: 5,
      serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
    })
    await load.done
    return load.menuId
  } finally {
    await client.close()
  }
}

/**
 * `npm run restock -- …args` against the test fleet, as a user runs it: in a child process,
 * awaited (never synchronously: this process answers it).
 */
const restock = (fleet: TestFleet, ...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'restock', '--', ...args],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: {
          ...process.env,
          RESTAURANT_SERVICE_URL: fleet.restaurant.baseUrl,
          SERVICE_TOKEN: fleet.restaurant.config.SERVICE_TOKEN,
        },
      },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code) : 0, stdout, stderr }),
    )
  })

const restaurants = async (fleet: TestFleet) =>
  (await fleet.restaurant.call('GET', '/restaurants')).body as {
    id: number
    name: string
    category: string
    menus: { id: number; name: string; stock: number }[]
  }[]

describe('a load run’s menu', () => {
  test('lands in the load kitchen, the same one for every run, never in the shop’s first restaurant', async ({
    fleet,
  }) => {
    const first = await loadRunMenu(fleet, 'kitchen test one')
    const second = await loadRunMenu(fleet, 'kitchen test two')
    const all = await restaurants(fleet)
    const kitchens = all.filter((restaurant) => restaurant.category === 'load-test')
    expect(kitchens).toHaveLength(1)
    expect(kitchens[0]?.name).toBe('Load test kitchen')
    expect(kitchens[0]?.menus.map((menu) => menu.id)).toEqual(expect.arrayContaining([first, second]))
    // The shop's first restaurant keeps the dev seed's four menus.
    expect(all[0]?.menus.map((menu) => menu.name)).toEqual(['김치찌개', '된장찌개', '제육볶음', '계란말이'])
  }, 30_000)
})

describe('npm run restock', () => {
  test('leaves the load kitchen’s menus alone, and says "1 menu" for one', async ({ fleet }) => {
    const loadMenu = await loadRunMenu(fleet, 'kitchen restock')
    const before = (await fleet.restaurant.call('GET', `/inventory/${loadMenu}`)).body.stock
    await fleet.restaurant.call('PUT', '/inventory/1', {
      headers: { authorization: `Bearer ${fleet.restaurant.config.SERVICE_TOKEN}` },
      json: { order_id: 'kitchen-restock-1', quantity: 3, operation: 'reserve' },
    })
    const all = await restock(fleet)
    expect(all.status, all.stderr).toBe(0)
    expect(all.stdout).toBe('restocked 20 menus to 100 each\n')
    expect((await fleet.restaurant.call('GET', '/inventory/1')).body.stock).toBe(100)
    expect((await fleet.restaurant.call('GET', `/inventory/${loadMenu}`)).body.stock).toBe(before)

    const one = await restock(fleet, '--menu', '2', '--stock', '7')
    expect(one.status, one.stderr).toBe(0)
    expect(one.stdout).toBe('restocked 1 menu to 7 each\n')
  }, 30_000)

  test('says there is no such menu and exits 1 for --menu 9999, setting nothing', async ({ fleet }) => {
    const missing = await restock(fleet, '--menu', '3', '--menu', '9999', '--stock', '5')
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('restock: No such menu: 9999 (nothing restocked)')
    expect(missing.stdout).toBe('')
    expect((await fleet.restaurant.call('GET', '/inventory/3')).body.stock).not.toBe(5)
  }, 30_000)
})
