import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildToxiproxyApi, FaultProxy } from '@food/fault-proxy'
import { EDGE_NAMES } from '@food/fault-proxy/fleet-edges'
import { seedDevData, startFleet } from '@food/order-service/test-fleet'
import { freePort, startSupervised } from '@food/testing'
import { buildWeb } from '../build.ts'
import { buildWebApp } from '../src/app.ts'
import { loadWebConfig } from '../src/config.ts'

/**
 * The seeded fleet, and the front end built into a directory of its own, served by its server;
 * the order service's calls to the restaurant go through a fault proxy, for the console's map.
 * `webEnv` adds to the web server's environment (a test's own PROMETHEUS_URL).
 */
export async function startWebFleet(webEnv: Record<string, string> = {}) {
  const proxies = new Map<string, FaultProxy>()
  const toxiproxy = buildToxiproxyApi({ proxies })
  const toxiproxyUrl = await toxiproxy.listen({ port: 0, host: '127.0.0.1' })
  const fleet = await startFleet(
    async ({ restaurant }) => {
      const edge = new FaultProxy({
        name: 'order-restaurant',
        listen: '127.0.0.1:0',
        upstream: new URL(restaurant.baseUrl).host,
      })
      await edge.enable()
      proxies.set(edge.name, edge)
      return { RESTAURANT_SERVICE_URL: `http://${edge.view().listen}`, FAULT_PROXY_URL: toxiproxyUrl }
    },
    { FAULT_PROXY_URL: toxiproxyUrl },
  )
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
      // No Prometheus unless a test starts its own (a free port): never npm start's on 9090.
      PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}`,
      LOG_LEVEL: 'warn',
      ...webEnv,
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
    /** A menu in the load kitchen, as a load run makes it (the restaurant's internal routes). */
    loadMenu: async (name: string, stock = 100): Promise<number> => {
      const kitchen = await fleet.restaurant.call('POST', '/restaurants/load-kitchen')
      const menu = await fleet.restaurant.call('POST', '/menus', {
        json: { restaurant_id: kitchen.body.id, name, price: 1000, stock },
      })
      return menu.body.id
    },
    /**
     * More edges on the fault proxy, up to `total`: every edge of the fleet (each shown by its
     * service's chaos plane when that plane has the proxy), then others only the proxy lists.
     */
    addEdges: async (total: number) => {
      const names = [...EDGE_NAMES, ...Array.from({ length: total }, (_, i) => `lab-extra-${i + 1}`)]
      for (const name of names) {
        if (proxies.size >= total) break
        if (proxies.has(name)) continue
        const proxy = new FaultProxy({ name, listen: '127.0.0.1:0', upstream: new URL(fleet.restaurant.baseUrl).host })
        await proxy.enable()
        proxies.set(name, proxy)
      }
    },
    close: async () => {
      await web.close()
      await fleet.close()
      await toxiproxy.close()
      await supervised.stop()
      for (const proxy of proxies.values()) await proxy.disable()
    },
  }
}
