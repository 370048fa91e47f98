import { request as httpRequest } from 'node:http'
import { startOrderService } from '@food/order-service/test-fleet'
import { errorBody } from '@food/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWebApp } from '../src/app.ts'
import { loadWebConfig } from '../src/config.ts'
import { startWebFleet } from './web-fleet.ts'

let setup: Awaited<ReturnType<typeof startWebFleet>>
beforeAll(async () => {
  setup = await startWebFleet()
})
afterAll(() => setup?.close())

describe('the front end’s server (npm start, port 8090)', () => {
  it('serves the static build at /', async () => {
    const page = await fetch(setup.url)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<script type="module" src="app.js">')
    const script = await fetch(`${setup.url}/app.js`)
    expect(script.headers.get('content-type')).toMatch(/javascript/)
  })

  it('passes /api/user/…, /api/restaurant/…, /api/order/… (and the plural prefixes) to the services, prefix stripped', async () => {
    const menus = await (await fetch(`${setup.url}/api/restaurant/menus`)).json()
    expect(menus).toHaveLength(20)
    for (const prefix of ['/api/user', '/api/users']) {
      const login = await fetch(`${setup.url}${prefix}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'user', password: 'pass' }),
      })
      expect(login.status).toBe(200)
    }
    const refused = await fetch(`${setup.url}/api/order/orders`)
    expect(refused.status).toBe(401)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('TOKEN_MISSING')
  })

  it('answers 503 in the fleet’s error shape when a service is down', async () => {
    const lonely = await buildWebApp(
      loadWebConfig({ ORDER_SERVICE_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent' }),
      '/nonexistent',
    )
    const response = await lonely.inject({ method: 'GET', url: '/api/order/health/live' })
    await lonely.close()
    expect(response.statusCode).toBe(503)
    expect(response.json()).toEqual({
      error: { code: 'DEPENDENCY_UNAVAILABLE', message: 'The order service did not answer' },
      detail: 'The order service did not answer',
    })
  })

  it('builds a small bundle, without a framework', () => {
    const script = setup.files.find((file) => file.file === 'app.js')
    console.log(
      setup.files.map(({ file, bytes, gzipBytes }) => `${file} ${bytes} B (${gzipBytes} B gzipped)`).join(', '),
    )
    // A framework alone weighs more than this (React + ReactDOM: about 45 KB gzipped).
    expect(script?.gzipBytes).toBeLessThan(20_000)
  })
})

/** A request with the headers a browser page would send (fetch cannot set Host). */
function browserRequest(url: string, method: string, headers: Record<string, string>, json?: unknown) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const body = json === undefined ? undefined : JSON.stringify(json)
    const sent = httpRequest(
      url,
      { method, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' } },
      (response) => {
        let text = ''
        response.setEncoding('utf8').on('data', (chunk) => {
          text += chunk
        })
        const isJson = response.headers['content-type']?.startsWith('application/json')
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: isJson ? JSON.parse(text) : text }))
      },
    )
    sent.on('error', reject).end(body)
  })
}

const REBOUND = 'rebind.evil.example:8003'
const EVIL = 'http://evil.example'
const hostOf = (url: string) => new URL(url).host

describe('no web page drives the lab: DNS rebinding and cross-site changes refused', () => {
  const services = () => ({ user: setup.fleet.user, restaurant: setup.fleet.restaurant, order: setup.fleet.order })

  it('each service refuses a rebound Host, reads too, 403 HOST_NOT_ALLOWED in the fleet’s shape', async () => {
    for (const [name, service] of Object.entries(services())) {
      for (const path of ['/chaos', '/health/live', '/menus']) {
        const refused = await browserRequest(`${service.baseUrl}${path}`, 'GET', { host: REBOUND })
        expect({ name, path, ...refused }).toEqual({ name, path, status: 403, body: errorBody('HOST_NOT_ALLOWED') })
      }
    }
  })

  it('each service refuses another site’s chaos change, and no fault is set', async () => {
    for (const service of Object.values(services())) {
      const host = hostOf(service.baseUrl)
      const refused = await browserRequest(
        `${service.baseUrl}/chaos/delay`,
        'POST',
        { host, origin: EVIL },
        {
          delay_ms: 2000,
        },
      )
      expect(refused).toEqual({ status: 403, body: errorBody('ORIGIN_NOT_ALLOWED') })
      expect((await browserRequest(`${service.baseUrl}/chaos`, 'DELETE', { host, origin: 'null' })).status).toBe(403)
      expect((await service.call('GET', '/chaos')).body.faults).toEqual({})
    }
  })

  it('keeps the services’ other routes open to every origin (CORS *, as the original’s), and their own pages’ changes', async () => {
    const { user, order } = services()
    const login = await browserRequest(
      `${user.baseUrl}/login`,
      'POST',
      { host: hostOf(user.baseUrl), origin: 'http://shop.example' },
      { username: 'user', password: 'pass' },
    )
    expect(login.status).toBe(200)
    const port = new URL(order.baseUrl).port
    for (const host of [`localhost:${port}`, `[::1]:${port}`, `10.0.0.3:${port}`]) {
      expect((await browserRequest(`${order.baseUrl}/health/live`, 'GET', { host })).status).toBe(200)
    }
    const own = { host: `localhost:${port}`, origin: 'http://localhost:8090' }
    const set = await browserRequest(`${order.baseUrl}/chaos/payment_fail`, 'POST', own, { fail_percent: 10, ttl_s: 5 })
    expect(set.status).toBe(200)
    expect((await browserRequest(`${order.baseUrl}/chaos`, 'DELETE', own)).status).toBe(200)
  })

  it('a service answers the names in its ALLOWED_HOSTS (the compose and cluster service names)', async () => {
    const order = await startOrderService({ ALLOWED_HOSTS: 'order,order-service' })
    try {
      for (const host of ['order:8003', 'order-service:8080']) {
        expect((await browserRequest(`${order.baseUrl}/health/live`, 'GET', { host })).status).toBe(200)
      }
      const other = await browserRequest(`${order.baseUrl}/health/live`, 'GET', { host: 'order.evil.example' })
      expect(other).toEqual({ status: 403, body: errorBody('HOST_NOT_ALLOWED') })
    } finally {
      await order.close()
    }
  })

  it('the web server refuses a rebound Host and another site’s kill; the process lives on', async () => {
    const { body: before } = await setup.supervised.engine('GET', '/containers/order/json')
    expect(await browserRequest(`${setup.url}/`, 'GET', { host: 'rebind.evil.example:8090' })).toEqual({
      status: 403,
      body: errorBody('HOST_NOT_ALLOWED'),
    })
    const kill = await browserRequest(`${setup.url}/api/engine/containers/order/kill`, 'POST', {
      host: hostOf(setup.url),
      origin: EVIL,
    })
    expect(kill).toEqual({ status: 403, body: errorBody('ORIGIN_NOT_ALLOWED') })
    const chaos = await browserRequest(
      `${setup.url}/api/order/chaos/payment_fail`,
      'POST',
      { host: hostOf(setup.url), origin: EVIL },
      { fail_percent: 100 },
    )
    expect(chaos.status).toBe(403)
    expect((await setup.fleet.order.call('GET', '/chaos')).body.faults).toEqual({})
    const { body: after } = await setup.supervised.engine('GET', '/containers/order/json')
    expect(after).toMatchObject({ RestartCount: before.RestartCount, State: { Pid: before.State.Pid } })
  })

  it('the console’s page drives its process faults and switches end to end, through the web server', async () => {
    // What the browser sends from the console at http://127.0.0.1:<port> (or localhost:8090).
    const page = { host: hostOf(setup.url), origin: new URL(setup.url).origin }
    const pause = await browserRequest(`${setup.url}/api/engine/containers/order/pause?ttl_s=5`, 'POST', page)
    expect(pause.status).toBe(204)
    expect((await browserRequest(`${setup.url}/api/engine/containers/order/unpause`, 'POST', page)).status).toBe(204)
    const set = await browserRequest(`${setup.url}/api/order/chaos/payment_fail`, 'POST', page, { fail_percent: 5 })
    expect(set.status).toBe(200)
    const cleared = await browserRequest(`${setup.url}/api/order/chaos`, 'DELETE', page)
    expect(cleared).toMatchObject({ status: 200, body: { cleared: ['payment_fail'] } })
  })

  it('the console opened at this machine’s network address drives its processes too (the web server vouches for it)', async () => {
    const port = new URL(setup.url).port
    const page = { host: `10.9.8.7:${port}`, origin: `http://10.9.8.7:${port}` }
    const pause = await browserRequest(`${setup.url}/api/engine/containers/order/pause?ttl_s=5`, 'POST', page)
    expect(pause.status).toBe(204)
    expect((await browserRequest(`${setup.url}/api/engine/containers/order/unpause`, 'POST', page)).status).toBe(204)
  })

  it('the web server answers the names in its ALLOWED_HOSTS', async () => {
    const named = await buildWebApp(
      loadWebConfig({ ALLOWED_HOSTS: 'lab.example', LOG_LEVEL: 'silent' }),
      '/nonexistent',
    )
    const own = await named.inject({ method: 'GET', url: '/health', headers: { host: 'lab.example:8090' } })
    const other = await named.inject({ method: 'GET', url: '/health', headers: { host: 'evil.example:8090' } })
    await named.close()
    expect(own.statusCode).toBe(200)
    expect(other.statusCode).toBe(403)
  })
})

describe('network faults in a service’s GET /chaos, as the switches show theirs', () => {
  it('shows when a toxic set with ttl_s expires, and the seconds it has left', async () => {
    const { order } = setup.fleet
    const set = await order.call('POST', '/chaos/network/order-restaurant/toxics', {
      json: { type: 'latency', attributes: { latency: 1 }, ttl_s: 30 },
    })
    expect(set.status).toBe(200)
    const { network } = (await order.call('GET', '/chaos')).body
    const [toxic] = network.edges['order-restaurant'].toxics
    expect(toxic).toMatchObject({ name: 'latency_downstream', ttl_s: 30 })
    expect(Date.parse(toxic.expires_at) - Date.now()).toBeGreaterThan(28_000)
    expect(Date.parse(toxic.expires_at) - Date.now()).toBeLessThanOrEqual(30_000)
    await order.call('DELETE', '/chaos')
  })
})
