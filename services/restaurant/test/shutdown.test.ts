import { serviceAuthorization } from '@food/service-auth'
import { Redis } from 'ioredis'
import { describe, expect, inject, it } from 'vitest'
import { startRestaurantService } from './helpers/restaurant-service.ts'

describe('graceful shutdown', () => {
  it('lets a stock change whose client gave up finish, cache invalidation included, before closing', async () => {
    const service = await startRestaurantService()
    const redis = new Redis(inject('redisUrl'), { keyPrefix: service.config.REDIS_KEY_PREFIX })
    try {
      const menu = await service.createMenu(5)
      expect((await service.call('GET', `/menus/${menu.id}`)).body.stock).toBe(5) // now cached
      // The reserve holds its row lock 400 ms; its client gives up after 100 ms.
      await service.call('POST', '/chaos/inventory_delay', { json: { delay_ms: 400 } })
      const client = new AbortController()
      const abandoned = fetch(`${service.baseUrl}/inventory/${menu.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...serviceAuthorization(service.config.SERVICE_TOKEN) },
        body: JSON.stringify({ order_id: 'abandoned', quantity: 2, operation: 'reserve' }),
        signal: client.signal,
      }).catch((error: Error) => error.name)
      await new Promise((resolve) => setTimeout(resolve, 100))
      client.abort()
      expect(await abandoned).toBe('AbortError')

      await service.app.close()
      const { rows } = await service.pool.query(
        'SELECT m.stock, r.status FROM menus m JOIN stock_reservations r ON r.menu_id = m.id WHERE m.id = $1',
        [menu.id],
      )
      expect(rows).toEqual([{ stock: 3, status: 'RESERVED' }])
      // The handler invalidated the cached menu before Redis closed: nobody will read stock 5.
      expect(await redis.get(`menu:${menu.id}`)).toBeNull()
    } finally {
      redis.disconnect()
      await service.close()
    }
  })
})
