import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { errorBody, startRestaurantService, type TestRestaurantService } from '../helpers/restaurant-service.ts'

const MENU_FIELDS = {
  id: expect.any(Number),
  restaurant_id: expect.any(Number),
  name: expect.any(String),
  description: expect.any(String),
  price: expect.any(Number),
  stock: expect.any(Number),
  // The original sample's fields, beside ours.
  inventory: expect.any(Number),
  is_available: expect.any(Boolean),
  image_url: null,
  created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
}

describe('menus behind the cache', () => {
  let service: TestRestaurantService
  let redis: Redis
  beforeAll(async () => {
    service = await startRestaurantService()
    redis = new Redis(inject('redisUrl'), { keyPrefix: service.config.REDIS_KEY_PREFIX })
  })
  afterAll(async () => {
    redis.disconnect()
    await service.close()
  })

  it('lists menus with the original sample’s contract fields: MISS, then HIT', async () => {
    const menu = await service.createMenu(7, 12000)
    const first = await service.call('GET', '/menus')
    const second = await service.call('GET', '/menus')
    expect(first.status).toBe(200)
    expect(first.headers.get('x-cache')).toBe('MISS')
    expect(second.headers.get('x-cache')).toBe('HIT')
    expect(first.body).toContainEqual({
      ...MENU_FIELDS,
      id: menu.id,
      restaurant_id: menu.restaurantId,
      price: 12000,
      stock: 7,
      inventory: 7,
      is_available: true,
    })
    expect(second.body).toEqual(first.body)
  })

  it('filters by restaurant', async () => {
    const menu = await service.createMenu(3)
    const response = await service.call('GET', `/menus?restaurant_id=${menu.restaurantId}`)
    expect(response.body).toEqual([expect.objectContaining({ id: menu.id, restaurant_id: menu.restaurantId })])
  })

  // The expiry itself is Redis's job; what the service owns is the TTL it sets, read back here
  // rather than raced against a clock on a busy machine.
  it('answers one menu: MISS, then HIT, cached for 30 s and the lists for 10 s', async () => {
    const menu = await service.createMenu(5)
    const first = await service.call('GET', `/menus/${menu.id}`)
    expect(first.body).toEqual({ ...MENU_FIELDS, id: menu.id, stock: 5, inventory: 5, is_available: true })
    expect(first.headers.get('x-cache')).toBe('MISS')
    expect((await service.call('GET', `/menus/${menu.id}`)).headers.get('x-cache')).toBe('HIT')
    expect(await redis.ttl(`menu:${menu.id}`)).toBeGreaterThan(25)
    expect(await redis.ttl(`menu:${menu.id}`)).toBeLessThanOrEqual(30)
    await service.call('GET', `/menus?restaurant_id=${menu.restaurantId}`)
    expect(await redis.ttl(`menus:${menu.restaurantId}`)).toBeGreaterThan(5)
    expect(await redis.ttl(`menus:${menu.restaurantId}`)).toBeLessThanOrEqual(10)
  })

  it('never shows a stale stock after a reserve or a restore', async () => {
    const menu = await service.createMenu(10)
    await service.call('GET', `/menus/${menu.id}`)
    await service.call('GET', '/menus')
    await service.call('GET', `/menus?restaurant_id=${menu.restaurantId}`)

    await service.reserve(menu.id, 'fresh-1', 4)
    const item = await service.call('GET', `/menus/${menu.id}`)
    expect(item.headers.get('x-cache')).toBe('MISS')
    expect(item.body.stock).toBe(6)
    const all = await service.call('GET', '/menus')
    expect(all.body.find((each: { id: number }) => each.id === menu.id).stock).toBe(6)
    const own = await service.call('GET', `/menus?restaurant_id=${menu.restaurantId}`)
    expect(own.body[0].stock).toBe(6)

    await service.restore(menu.id, 'fresh-1', 4)
    expect((await service.call('GET', `/menus/${menu.id}`)).body.stock).toBe(10)
  })

  it('shows a stock change made on another replica at once, though each keeps the menus it read in memory', async () => {
    const other = await startRestaurantService({
      DATABASE_URL: service.databaseUrl,
      REDIS_KEY_PREFIX: service.config.REDIS_KEY_PREFIX,
    })
    try {
      const menu = await service.createMenu(10)
      const reads = [`/menus/${menu.id}`, `/menus?restaurant_id=${menu.restaurantId}`]
      for (const replica of [service, other]) {
        for (const path of reads) await replica.call('GET', path)
        for (const path of reads) expect((await replica.call('GET', path)).headers.get('x-cache')).toBe('HIT')
      }
      await other.reserve(menu.id, 'replica-1', 3)
      expect((await service.call('GET', `/menus/${menu.id}`)).body.stock).toBe(7)
      expect((await service.call('GET', `/menus?restaurant_id=${menu.restaurantId}`)).body[0].stock).toBe(7)
      await service.restore(menu.id, 'replica-1', 3)
      expect((await other.call('GET', `/menus/${menu.id}`)).body.stock).toBe(10)
    } finally {
      await other.close()
    }
  })

  it('shows a menu sold out (is_available false, inventory 0) exactly while nothing is in stock', async () => {
    const menu = await service.createMenu(2)
    const menuOf = async () => (await service.call('GET', `/menus/${menu.id}`)).body
    expect(await menuOf()).toMatchObject({ stock: 2, inventory: 2, is_available: true })
    await service.reserve(menu.id, 'sold-out-1', 2)
    expect(await menuOf()).toMatchObject({ stock: 0, inventory: 0, is_available: false })
    const listed = (await service.call('GET', '/menus')).body.find((each: { id: number }) => each.id === menu.id)
    expect(listed).toMatchObject({ inventory: 0, is_available: false })
    await service.restore(menu.id, 'sold-out-1', 2)
    expect(await menuOf()).toMatchObject({ stock: 2, inventory: 2, is_available: true })
  })

  it('adds a menu, shown at once in the cached lists', async () => {
    const existing = await service.createMenu(1)
    await service.call('GET', '/menus')
    const created = await service.call('POST', '/menus', {
      json: { restaurant_id: existing.restaurantId, name: '불고기', price: 12000, stock: 30 },
    })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({
      ...MENU_FIELDS,
      restaurant_id: existing.restaurantId,
      name: '불고기',
      description: '',
      stock: 30,
      inventory: 30,
    })
    const list = await service.call('GET', '/menus')
    expect(list.headers.get('x-cache')).toBe('MISS')
    expect(list.body).toContainEqual(created.body)
    const unknown = await service.call('POST', '/menus', {
      json: { restaurant_id: 999999, name: 'x', price: 1, stock: 1 },
    })
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual(errorBody('RESTAURANT_NOT_FOUND'))
    const negative = await service.call('POST', '/menus', {
      json: { restaurant_id: 1, name: 'x', price: 1, stock: -1 },
    })
    expect(negative.status).toBe(400)
  })

  it('refuses a NUL character in a new menu’s name or description: 400, nothing added', async () => {
    const existing = await service.createMenu(1)
    const before = await service.call('GET', `/menus?restaurant_id=${existing.restaurantId}`)
    for (const json of [
      { restaurant_id: existing.restaurantId, name: 'bad\u0000name', price: 1, stock: 1 },
      { restaurant_id: existing.restaurantId, name: 'ok', description: '\u0000', price: 1, stock: 1 },
    ]) {
      const refused = await service.call('POST', '/menus', { json })
      expect(refused.status).toBe(400)
      expect(refused.body).toEqual(errorBody('VALIDATION_ERROR'))
    }
    const after = await service.call('GET', `/menus?restaurant_id=${existing.restaurantId}`)
    expect(after.body).toEqual(before.body)
  })

  it.each([
    ['/menus/abc', 400, 'VALIDATION_ERROR'],
    ['/menus/0', 400, 'VALIDATION_ERROR'],
    ['/menus/999999', 404, 'MENU_NOT_FOUND'],
    ['/menus?restaurant_id=x', 400, 'VALIDATION_ERROR'],
    ['/restaurants/abc', 400, 'VALIDATION_ERROR'],
    ['/restaurants/999999', 404, 'RESTAURANT_NOT_FOUND'],
  ])('GET %s answers %i %s', async (path, status, code) => {
    const response = await service.call('GET', path)
    expect(response.status).toBe(status)
    expect(response.body).toEqual(errorBody(code))
  })
})

describe('restaurants', () => {
  let service: TestRestaurantService
  beforeAll(async () => {
    service = await startRestaurantService()
  })
  afterAll(() => service.close())

  it('lists restaurants and shows one, each with its menus', async () => {
    const menu = await service.createMenu(4)
    const list = await service.call('GET', '/restaurants')
    expect(list.status).toBe(200)
    const one = await service.call('GET', `/restaurants/${menu.restaurantId}`)
    expect(one.body).toEqual({
      id: menu.restaurantId,
      name: 'Test',
      category: 'korean',
      address: 'Seoul',
      phone: null,
      description: '',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      menus: [{ ...MENU_FIELDS, id: menu.id, stock: 4, inventory: 4 }],
    })
    expect(list.body).toContainEqual(one.body)
  })

  it('makes the load kitchen once, however many runs ask at once, for the fleet’s services only', async () => {
    const asked = await Promise.all(Array.from({ length: 5 }, () => service.call('POST', '/restaurants/load-kitchen')))
    const ids = new Set(asked.map((answer) => answer.body.id))
    expect(ids.size).toBe(1)
    expect(asked[0]).toMatchObject({ status: 200, body: { name: 'Load test kitchen', category: 'load-test' } })
    const list = (await service.call('GET', '/restaurants')).body as { category: string }[]
    expect(list.filter((restaurant) => restaurant.category === 'load-test')).toHaveLength(1)
    const stranger = await service.call('POST', '/restaurants/load-kitchen', {
      headers: { authorization: 'Bearer no' },
    })
    expect(stranger).toMatchObject({ status: 401, body: errorBody('SERVICE_TOKEN_INVALID') })
  })

  it('documents every route in OpenAPI, with the shared Menu and error schemas', async () => {
    const { body } = await service.call('GET', '/docs/json')
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/menus',
        '/menus/{id}',
        '/restaurants',
        '/restaurants/{id}',
        '/inventory/{menuId}',
        '/chaos/inventory_delay',
        '/health/ready',
      ]),
    )
    expect(Object.keys(body.components.schemas)).toEqual(
      expect.arrayContaining(['Menu', 'Restaurant', 'ErrorResponse']),
    )
    expect(body.tags.map((tag: { name: string }) => tag.name)).toEqual([
      'menus',
      'restaurants',
      'inventory',
      'chaos',
      'health',
    ])
  })
})

describe('menus with Redis unreachable', () => {
  let service: TestRestaurantService
  beforeAll(async () => {
    service = await startRestaurantService({ REDIS_URL: 'redis://127.0.0.1:1' })
  })
  afterAll(() => service.close())

  it('still answers from PostgreSQL, and stock changes still work', async () => {
    const menu = await service.createMenu(5)
    for (const path of ['/menus', `/menus/${menu.id}`]) {
      const response = await service.call('GET', path)
      expect(response.status).toBe(200)
      expect(response.headers.get('x-cache')).toBe('MISS')
    }
    expect((await service.reserve(menu.id, 'no-redis', 2)).status).toBe(200)
    expect((await service.call('GET', `/menus/${menu.id}`)).body.stock).toBe(3)
    expect(await service.metrics()).toMatch(
      /cache_errors_total\{cache="menu",operation="get",service="restaurant"\} [1-9]/,
    )
  })
})

describe('menus with the cache switched off', () => {
  let service: TestRestaurantService
  beforeAll(async () => {
    service = await startRestaurantService({ MENU_CACHE_ENABLED: 'false' })
  })
  afterAll(() => service.close())

  it('reads PostgreSQL every time', async () => {
    const menu = await service.createMenu(5)
    for (let i = 0; i < 2; i++) {
      expect((await service.call('GET', `/menus/${menu.id}`)).headers.get('x-cache')).toBe('MISS')
      expect((await service.call('GET', '/menus')).headers.get('x-cache')).toBe('MISS')
    }
    expect((await service.call('GET', '/chaos')).body.experiment).toMatchObject({ menu_cache: false })
  })
})
