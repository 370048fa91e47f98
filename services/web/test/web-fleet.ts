import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildToxiproxyApi, FaultProxy } from '@food/fault-proxy'
import { seedDevData, startFleet } from '@food/order-service/test-fleet'
import { startSupervised } from '@food/testing'
import { buildWeb } from '../build.ts'
import { buildWebApp } from '../src/app.ts'
import { loadWebConfig } from '../src/config.ts'

/**
 * The seeded fleet, and the front end built into a directory of its own, served by its server;
 * the order service's calls to the restaurant go through a fault proxy, for the console's map.
 */
export async function startWebFleet() {
  const proxies = new Map<string, FaultProxy>()
  const toxiproxy = buildToxiproxyApi({ proxies })
  const toxiproxyUrl = await toxiproxy.listen({ port: 0, host: '127.0.0.1' })
  const fleet = await startFleet(async ({ restaurant }) => {
    const edge = new FaultProxy({
      name: 'order-restaurant',
      listen: '127.0.0.1:0',
      upstream: new URL(restaurant.baseUrl).host,
    })
    await edge.enable()
    proxies.set(edge.name, edge)
    return { RESTAURANT_SERVICE_URL: `http://${edge.view().listen}`, FAULT_PROXY_URL: toxiproxyUrl }
  })
  await seedDevData(fleet)
  // npm start's supervisor, over a stand-in process under the order service's name (the services
  // here run in the test's process): the console's process switches go to its API.
  const supervised = await startSupervised([
    { name: 'order', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
  ])
  const staticDir = await mkdtemp(join(tmpdir(), 'web-'))
  const files = await buildWeb(staticDir)
  const web = await buildWebApp(
    loadWebConfig({
      USER_SERVICE_URL: fleet.user.baseUrl,
      RESTAURANT_SERVICE_URL: fleet.restaurant.baseUrl,
      ORDER_SERVICE_URL: fleet.order.baseUrl,
      ENGINE_URL: supervised.url,
      LOG_LEVEL: 'warn',
    }),
    staticDir,
  )
  const url = await web.listen({ port: 0, host: '127.0.0.1' })
  return {
    fleet,
    supervised,
    url,
    files,
    stockOf: async (menuId: number): Promise<number> =>
      (await fleet.restaurant.call('GET', `/inventory/${menuId}`)).body.stock,
    close: async () => {
      await web.close()
      await fleet.close()
      await toxiproxy.close()
      await supervised.stop()
      for (const proxy of proxies.values()) await proxy.disable()
    },
  }
}
