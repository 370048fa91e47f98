import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seedDevData, startFleet } from '@food/order-service/test-fleet'
import { buildWeb } from '../build.ts'
import { buildWebApp } from '../src/app.ts'
import { loadWebConfig } from '../src/config.ts'

/** The seeded fleet, and the front end built into a directory of its own, served by its server. */
export async function startWebFleet() {
  const fleet = await startFleet()
  await seedDevData(fleet)
  const staticDir = await mkdtemp(join(tmpdir(), 'web-'))
  const files = await buildWeb(staticDir)
  const web = await buildWebApp(
    loadWebConfig({
      USER_SERVICE_URL: fleet.user.baseUrl,
      RESTAURANT_SERVICE_URL: fleet.restaurant.baseUrl,
      ORDER_SERVICE_URL: fleet.order.baseUrl,
      LOG_LEVEL: 'warn',
    }),
    staticDir,
  )
  const url = await web.listen({ port: 0, host: '127.0.0.1' })
  return {
    fleet,
    url,
    files,
    stockOf: async (menuId: number): Promise<number> =>
      (await fleet.restaurant.call('GET', `/inventory/${menuId}`)).body.stock,
    close: async () => {
      await web.close()
      await fleet.close()
    },
  }
}
