import { startGateway } from '@food/gateway/test-gateway'
import { seedDevData, startFleet } from '@food/order-service/test-fleet'

const portOf = (baseUrl: string) => Number(new URL(baseUrl).port)

/**
 * The fleet as a user of the original meets it after `npm start`: the three real services with
 * the dev seed (`user`/`pass`; menu 1 김치찌개, 100 in stock) and the NGINX gateway in front.
 * `at(8003, '/orders')` is where an original client's `http://localhost:8003/orders` lands.
 */
export async function startOriginalFleet() {
  const fleet = await startFleet()
  await seedDevData(fleet)
  const gateway = await startGateway({
    user: [portOf(fleet.user.baseUrl)],
    restaurant: [portOf(fleet.restaurant.baseUrl)],
    order: [portOf(fleet.order.baseUrl)],
  })
  const services: Record<number, string> = {
    8001: fleet.user.baseUrl,
    8002: fleet.restaurant.baseUrl,
    8003: fleet.order.baseUrl,
  }
  const at = (port: 8001 | 8002 | 8003, path: string) => `${services[port]}${path}`
  /** Units of a menu in stock, read past every cache. */
  const stockOf = async (menuId: number): Promise<number> =>
    (await fleet.restaurant.call('GET', `/inventory/${menuId}`)).body.stock
  return {
    fleet,
    gateway,
    at,
    stockOf,
    close: async () => {
      await gateway.stop()
      await fleet.close()
    },
  }
}

export type OriginalFleet = Awaited<ReturnType<typeof startOriginalFleet>>
