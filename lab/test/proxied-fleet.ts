import { buildToxiproxyApi, type FaultProxy } from '@food/fault-proxy'
import { startFleet } from '@food/order-service/test-fleet'
import { createDatabaseFromTemplate } from '@food/testing'
import { Toxiproxy } from 'toxiproxy-node-client'
import { inject } from 'vitest'

/**
 * The three services with a fault proxy (Toxiproxy's API on a port of its own) on the order →
 * restaurant edge and the order service's PostgreSQL edge (its own database), the order service's
 * chaos plane told where it is: a test's own, never npm start's 127.0.0.1:8474. `orderEnv`: the
 * order service's settings beside the edges'.
 */
export async function startProxiedFleet(orderEnv: Record<string, string> = {}) {
  const proxies = new Map<string, FaultProxy>()
  const api = buildToxiproxyApi({ proxies })
  const apiUrl = await api.listen({ port: 0, host: '127.0.0.1' })
  const toxiproxy = new Toxiproxy(apiUrl)
  const orderDatabase = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templates').order as string)
  const fleet = await startFleet(async ({ restaurant }) => {
    const edge = await toxiproxy.createProxy({
      name: 'order-restaurant',
      listen: '127.0.0.1:0',
      upstream: new URL(restaurant.baseUrl).host,
    })
    const database = new URL(orderDatabase.url)
    const postgres = await toxiproxy.createProxy({
      name: 'order-postgres',
      listen: '127.0.0.1:0',
      upstream: database.host,
    })
    database.host = postgres.listen
    return {
      ...orderEnv,
      RESTAURANT_SERVICE_URL: `http://${edge.listen}`,
      DATABASE_URL: database.toString(),
      FAULT_PROXY_URL: apiUrl,
    }
  })
  return {
    fleet,
    apiUrl,
    toxiproxy,
    close: async () => {
      await fleet.close()
      await api.close()
      await orderDatabase.drop()
    },
  }
}

export type ProxiedFleet = Awaited<ReturnType<typeof startProxiedFleet>>
