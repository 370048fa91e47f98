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
