import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadOrderConfig } from '@food/order-service/config'
import { FLEET_START_MS, fleetTest, type TestFleet } from '@food/order-service/test-fleet'
import { startRestaurantService, type TestRestaurantService } from '@food/restaurant-service/test-service'
import { freePort } from '@food/testing'
import { buildWeb } from '@food/web/build'
import { afterAll, describe, expect, it } from 'vitest'
import { checkConfig, type Gateway, renderGateway, startGateway } from './nginx.ts'

const portOf = (baseUrl: string) => Number(new URL(baseUrl).port)

let fleet: TestFleet
let secondRestaurant: TestRestaurantService
let gateway: Gateway
let webRoot: string

// The fleet is the fixture's (it closes it after the last test); the second replica and the gateway are this file's.
fleetTest.beforeAll(async ({ fleet: started }) => {
  fleet = started
  // A second replica of the restaurant service on the same database and cache.
  secondRestaurant = await startRestaurantService({
    DATABASE_URL: fleet.restaurant.databaseUrl,
    REDIS_KEY_PREFIX: fleet.restaurant.config.REDIS_KEY_PREFIX,
  })
  webRoot = await mkdtemp(join(tmpdir(), 'gateway-web-'))
  await buildWeb(webRoot)
  gateway = await startGateway(
    {
      user: [portOf(fleet.user.baseUrl)],
      restaurant: [portOf(fleet.restaurant.baseUrl), portOf(secondRestaurant.baseUrl)],
      order: [portOf(fleet.order.baseUrl)],
    },
    webRoot,
  )
}, FLEET_START_MS)
afterAll(async () => {
  await gateway?.stop()
  await secondRestaurant?.close()
})

async function call(
  path: string,
  init: { method?: string; json?: unknown; headers?: Record<string, string>; body?: string } = {},
) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: init.method ?? (init.json === undefined && init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.json === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.json === undefined ? init.body : JSON.stringify(init.json),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

describe('the gateway configuration', () => {
  it('passes nginx -t', async () => {
    const { dir } = await renderGateway({ user: [1], restaurant: [2, 3], order: [4] })
    const check = checkConfig(dir)
    expect(check.output).toContain('syntax is ok')
    expect(check.status).toBe(0)
  })

  it('closes idle upstream connections before the services close theirs, and cuts slow clients off as they do', async () => {
    const template = await readFile(new URL('../templates/default.conf.template', import.meta.url), 'utf8')
    const seconds = (directive: string) =>
      [...template.matchAll(new RegExp(`^\\s*${directive} (\\d+)s;`, 'gm'))].map((match) => Number(match[1]) * 1000)
    const service = loadOrderConfig({ DATABASE_URL: 'postgresql://127.0.0.1/defaults' })
    const upstreamIdle = seconds('keepalive_timeout')
    expect(upstreamIdle).toHaveLength(3)
    for (const idle of upstreamIdle) expect(idle).toBeLessThan(service.HTTP_KEEP_ALIVE_TIMEOUT_MS)
    expect(seconds('client_header_timeout')).toEqual([service.HTTP_HEADERS_TIMEOUT_MS])
    expect(seconds('client_body_timeout')).toEqual([service.HTTP_BODY_TIMEOUT_MS])
  })
})

describe('through the gateway', () => {
  it('runs the original sample’s flow under the original prefixes: login, order, read, cancel', async () => {
    const menu = await fleet.restaurant.createMenu(10)
    const { username, password } = await fleet.user.createUser('via-gateway')
    const login = await call('/api/users/login', { json: { username, password } })
    expect(login.status).toBe(200)
    const headers = { authorization: `Bearer ${login.body.access_token}` }
    const order = await call('/api/orders/orders', {
      json: { items: [{ menu_id: menu.id, quantity: 2 }], address: 'Seoul', phone: '010-1234-5678' },
      headers,
    })
    expect(order.status).toBe(201)
    expect(order.body.status).toBe('CONFIRMED')
    expect((await call(`/api/order/orders/${order.body.id}`, { headers })).body.id).toBe(order.body.id)
    expect((await call(`/api/orders/orders/${order.body.id}/cancel`, { method: 'POST', headers })).body.status).toBe(
      'CANCELLED',
    )
    expect((await call(`/api/restaurant/menus/${menu.id}`)).body.stock).toBe(10)
    expect((await call('/api/user/users/1')).status).toBe(200)
  })

  it('spreads requests over both restaurant replicas', async () => {
    for (let i = 0; i < 20; i++) expect((await call('/api/restaurants/menus')).status).toBe(200)
    const used = new Set(
      (await gateway.accessLog())
        .filter((line) => String(line.uri).startsWith('/api/restaurants/'))
        .map((line) => String(line.upstream)),
    )
    expect(used).toEqual(
      new Set([`127.0.0.1:${portOf(fleet.restaurant.baseUrl)}`, `127.0.0.1:${portOf(secondRestaurant.baseUrl)}`]),
    )
  })

  it('makes up an X-Request-Id when there is none, passes one on, and logs traceparent', async () => {
    const made = await call('/api/restaurants/menus')
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    const given = await call('/api/restaurants/menus', { headers: { 'x-request-id': 'from-the-client', traceparent } })
    expect(given.headers.get('x-request-id')).toBe('from-the-client')
    const line = (await gateway.accessLog()).find((entry) => entry.request_id === 'from-the-client')
    expect(line).toMatchObject({ status: 200, traceparent, method: 'GET', uri: '/api/restaurants/menus' })
    expect(Number(line?.upstream_time)).toBeGreaterThanOrEqual(0)
  })

  it('replaces an X-Request-Id that is too long or not plain with its own', async () => {
    for (const bad of ['x'.repeat(200), 'a b', '"},"status":999']) {
      const answer = await call('/api/restaurants/menus', { headers: { 'x-request-id': bad } })
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
    }
  })

  it('serves the web front end at /, any other page path included (its routes are in the hash)', async () => {
    for (const path of ['/', '/orders']) {
      const page = await fetch(`${gateway.url}${path}`)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('<script type="module" src="app.js">')
    }
    const script = await fetch(`${gateway.url}/app.js`)
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/javascript/)
  })

  it('never forwards the restaurant’s internal routes, even with the service token; reading stays open', async () => {
    const credential = { authorization: `Bearer ${fleet.restaurant.config.SERVICE_TOKEN}` }
    const menu = await fleet.restaurant.createMenu(5)
    for (const prefix of ['/api/restaurants', '/api/restaurant']) {
      const reserve = await call(`${prefix}/inventory/${menu.id}`, {
        method: 'PUT',
        headers: credential,
        json: { order_id: 'via-gateway', quantity: 5, operation: 'reserve' },
      })
      expect(reserve.status).toBe(403)
      expect(reserve.body.error.code).toBe('INTERNAL_ROUTE')
      const created = await call(`${prefix}/menus`, {
        headers: credential,
        json: { restaurant_id: menu.restaurantId, name: 'x', price: 1, stock: 1 },
      })
      expect(created.status).toBe(403)
      const kitchen = await call(`${prefix}/restaurants/load-kitchen`, {
        method: 'POST',
        headers: credential,
        json: {},
      })
      expect(kitchen.status).toBe(403)
      expect((await call(`${prefix}/inventory/${menu.id}`)).body).toMatchObject({ stock: 5, reserved_units: 0 })
      const listed = await call(`${prefix}/menus?restaurant_id=${menu.restaurantId}`)
      expect(listed.body.map((item: { id: number }) => item.id)).toEqual([menu.id])
    }
  })

  it('answers its own errors in the fleet shape, detail included', async () => {
    const unknown = await call('/api/nowhere')
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('ROUTE_NOT_FOUND')
    expect(unknown.body.detail).toBe(unknown.body.error.message)
    const large = await call('/api/users/signup', { json: { username: 'big', password: 'x'.repeat(70_000) } })
    expect(large.status).toBe(413)
    expect(large.body.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(large.body.detail).toBe(large.body.error.message)
  })

  it('sends a chaos fault set through it to every restaurant replica', async () => {
    expect((await call('/api/restaurants/chaos/inventory_delay', { json: { delay_ms: 50 } })).status).toBe(200)
    try {
      for (const replica of [fleet.restaurant, secondRestaurant]) {
        // The replica nginx did not pick learns it through Redis, a moment later.
        await expect
          .poll(async () => (await replica.call('GET', '/chaos')).body.faults, { interval: 30, timeout: 3000 })
          .toMatchObject({ inventory_delay: { value: 50 } })
      }
    } finally {
      await call('/api/restaurants/chaos', { method: 'DELETE' })
    }
  })

  it('answers 503 DEPENDENCY_UNAVAILABLE in the fleet shape when no replica of a service answers', async () => {
    // A gateway of its own whose user service is nowhere (a port nothing listens on).
    const nowhere = await startGateway({
      user: [await freePort()],
      restaurant: [portOf(fleet.restaurant.baseUrl)],
      order: [portOf(fleet.order.baseUrl)],
    })
    try {
      const answer = await fetch(`${nowhere.url}/api/users/health`)
      expect(answer.status).toBe(503)
      expect(await answer.json()).toEqual({
        error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'No replica of this service answered the gateway' },
        detail: 'No replica of this service answered the gateway',
      })
      expect((await fetch(`${nowhere.url}/api/restaurants/menus`)).status).toBe(200)
    } finally {
      await nowhere.stop()
    }
  })

  it('keeps serving when one restaurant replica goes down', async () => {
    await secondRestaurant.app.close()
    const statuses = []
    for (let i = 0; i < 10; i++) statuses.push((await call('/api/restaurants/menus')).status)
    expect(statuses.every((status) => status === 200)).toBe(true)
  })
})
