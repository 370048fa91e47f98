/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The callbacks given to page.evaluate run in the browser, on its DOM.)
/**
 * The Traces, Service map and Charts pages in headless Chromium against the fleet as npm start runs
 * it (web-fleet.ts: the services as processes, tracing into a trace store of the test's own, their
 * log files in a temporary directory, their edges through a fault proxy): an order placed in the
 * shop and its trace opened from My orders, a waterfall across the three services with its log
 * lines, a fault's trace found by its event, the map with a fault and a down edge, the charts with
 * their bands and a slow request's trace opened from its point. At 1280 and 390 px. Screenshots:
 * screenshots/ with SCREENSHOTS=update (traces.png, traces-390.png, waterfall.png, service-map.png,
 * charts.png), else a temporary folder.
 */
import { execFileSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTracedWebFleet, type TracedWebFleet } from './web-fleet.ts'

const SCREENSHOTS =
  process.env.SCREENSHOTS === 'update'
    ? fileURLToPath(new URL('../screenshots/', import.meta.url))
    : join(tmpdir(), `web-trace-screenshots-${process.pid}/`)

let fleet: TracedWebFleet
let browser: Browser
let page: Page
// Reads all along (menus, a user's orders), as a shop has: the charts and the map have lines to draw.
let reading = true
let background: Promise<void> | undefined
let readingSince = 0

beforeAll(async () => {
  // The web server reads the services every second here (5 s under npm start): the charts fill sooner.
  fleet = await startTracedWebFleet({ webEnv: { SCRAPE_INTERVAL_MS: '1000' } })
  const executablePath = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim()
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await mkdir(SCREENSHOTS, { recursive: true })
  // The dev user, logged in as the shop does it.
  await page.goto(`${fleet.url}/#/login`)
  await page.getByLabel('Username').fill('user')
  await page.getByLabel('Password').fill('pass')
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.locator('#account', { hasText: 'Signed in as user' }).waitFor()
  const auth = await fleet.login()
  readingSince = Date.now()
  background = (async () => {
    for (let i = 0; reading; i++) {
      await fetch(`${fleet.services.restaurant.baseUrl}/menus/${(i % 5) + 1}`).catch(() => undefined)
      if (i % 2 === 0)
        await fetch(`${fleet.services.order.baseUrl}/orders?limit=5`, { headers: auth }).catch(() => undefined)
      await new Promise((resolve) => setTimeout(resolve, 400))
    }
  })()
}, 180_000)
// A failed test leaves what the page showed, to look at.
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    await page?.screenshot({
      path: `${SCREENSHOTS}failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`,
      fullPage: true,
    })
  }
})
afterAll(async () => {
  reading = false
  await background
  await browser?.close()
  await fleet?.close()
})

const status = () => page.locator('#status')

/** Orders one 김치찌개 in the shop; the order's number as the status line says it. */
async function orderInTheShop(outcome: RegExp): Promise<number> {
  await page.goto(`${fleet.url}/#/`)
  await page.getByRole('button', { name: 'Add 김치찌개 to the order' }).click()
  await page.getByRole('button', { name: 'Place order' }).click()
  await expect.poll(() => status().textContent(), { timeout: 10_000 }).toMatch(outcome)
  return Number((await status().textContent())?.match(/Order #(\d+)/)?.[1])
}

/** The services the waterfall shows a span of, once they are all there (each exports on its own schedule). */
const waterfallServices = () =>
  page
    .locator('.span-row')
    .evaluateAll((rows) => [...new Set(rows.map((row) => row.getAttribute('data-service')))].sort())

/** Whether the page is wider than its window (a phone would scroll it sideways). */
const scrollsSideways = (on: Page) =>
  on.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)

let orderTrace = ''

describe('a traced order, found by its id from My orders', () => {
  it('places an order in the shop, and My orders opens its trace: a waterfall across the three services, with their log lines', async () => {
    const orderId = await orderInTheShop(/Order #\d+ CONFIRMED/)
    await page.getByRole('link', { name: 'My orders' }).click()
    const link = page.getByRole('link', { name: `Trace of order ${orderId}` })
    orderTrace = (await link.getAttribute('data-trace')) ?? ''
    expect(orderTrace).toMatch(/^[0-9a-f]{32}$/)
    await link.click()
    expect(page.url()).toBe(`${fleet.url}/#/traces/${orderTrace}`)
    await expect.poll(waterfallServices, { timeout: 15_000 }).toEqual(['order', 'restaurant', 'user'])
    // Once the store has decided it (its last spans in): the page reads it again by itself.
    await page.locator('[data-pending]').waitFor({ state: 'detached', timeout: 15_000 })
    expect(await page.locator('.trace-summary strong').textContent()).toBe('POST /orders')

    // The saga's steps, the calls to the user and restaurant services, their PostgreSQL and Redis calls.
    const names = await page
      .locator('.span-row')
      .evaluateAll((rows) =>
        rows.map((row) => `${row.getAttribute('data-service')} ${row.querySelector('.span-name')?.textContent}`),
      )
    for (const expected of [
      'order order POST /orders',
      'order order order.validate_user',
      'order order POST /validate',
      'user user POST /validate',
      'restaurant restaurant GET /menus/:id',
      'restaurant restaurant PUT /inventory/:menuId',
      'order order order.payment',
    ]) {
      expect(names).toContain(expected)
    }
    expect(names.some((name) => /^restaurant restaurant pg\.query:/.test(name))).toBe(true)
    expect(names.some((name) => /^order order (multi|incr|del|get|set|mget|eval)/.test(name))).toBe(true)

    // A span's attributes on click: the order the saga stored.
    await page.locator('.span-row', { hasText: 'order.store' }).click()
    const details = page.locator('.span-details')
    await expect.poll(() => details.locator('tr', { hasText: 'order.id' }).textContent()).toBe(`order.id${orderId}`)

    // Its log lines, from the three services' files, joined by trace_id.
    const logServices = page.locator('.log-lines tbody tr td:nth-child(2)')
    await expect
      .poll(async () => [...new Set(await logServices.allTextContents())].sort(), { timeout: 10_000 })
      .toEqual(['order', 'restaurant', 'user'])
    const completed = page.locator('.log-lines tr', { hasText: 'route=/orders' })
    expect(await completed.first().textContent()).toContain('status=201')
    await page.screenshot({ path: `${SCREENSHOTS}waterfall.png`, fullPage: true })
  })

  it('opens a trace by the X-Trace-Id of an answer, pasted in the Traces page', async () => {
    const { headers } = await fleet.call('restaurant', 'GET', '/menus/2')
    const traceId = headers.get('x-trace-id') ?? ''
    await page.goto(`${fleet.url}/#/traces`)
    await page.getByLabel('Open a trace by its id').fill(traceId.toUpperCase())
    await page.getByRole('button', { name: 'Open' }).click()
    expect(page.url()).toBe(`${fleet.url}/#/traces/${traceId}`)
    // Opened at once, before the service sent its spans: the page looks again until they are there.
    await page.locator('.trace-summary').waitFor({ timeout: 15_000 })
    expect(await page.locator('.trace-summary strong').textContent()).toBe('GET /menus/:id')
  })

  it('finds an order’s trace by the order’s id when the browser did not place it', async () => {
    // Placed with curl, as it were: My orders never saw its X-Trace-Id.
    const response = await fetch(`${fleet.services.order.baseUrl}/orders`, {
      method: 'POST',
      headers: { ...(await fleet.login()), 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ menu_id: 2, quantity: 1 }], address: 'Seoul', phone: '010-1234-5678' }),
    })
    const order = (await response.json()) as { id: number }
    const traceId = response.headers.get('x-trace-id')
    await page.goto(`${fleet.url}/#/orders`)
    await page.getByRole('link', { name: `Find the trace of order ${order.id}` }).click()
    // Found once the store has decided it (a second or so after its last span here).
    const found = page.locator(`tr[data-trace="${traceId}"]`)
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Search' }).click()
          await page.locator('.found table, .found p').first().waitFor()
          return found.count()
        },
        { timeout: 15_000, interval: 1000 },
      )
      .toBe(1)
    expect(await page.locator('table.traces tbody tr').count()).toBe(1)
  })
})

describe('a fault’s trace, found by its event', () => {
  it('fails every payment through the chaos API, orders, and finds the order’s trace by chaos.injected', async () => {
    const set = await fleet.call('order', 'POST', '/chaos/payment_fail', { fail_percent: 100, ttl_s: 60 })
    expect(set.status).toBe(200)
    try {
      const orderId = await orderInTheShop(/Order #\d+ FAILED/)
      await page.goto(`${fleet.url}/#/traces`)
      await page.getByLabel('Service').selectOption('order')
      await page.getByLabel('Only traces a fault struck (chaos.injected)').check()
      await page.getByRole('button', { name: 'Search' }).click()
      expect(page.url()).toBe(`${fleet.url}/#/traces?service=order&chaos=1`)
      const rows = page.locator('table.traces tbody tr')
      await expect
        .poll(
          async () => {
            await page.reload()
            await page.locator('.found table, .found p').first().waitFor()
            return rows.count()
          },
          { timeout: 15_000, interval: 1000 },
        )
        .toBe(1)
      const row = rows.first()
      expect(await row.locator('td.name').textContent()).toBe('POST /orders')
      expect(await row.locator('td.code').textContent()).toBe('201')
      expect(await row.locator('.fault-marker').textContent()).toBe('⚡ payment_fail')
      expect(await row.locator('.bar').getAttribute('style')).toMatch(/^width: \d+(\.\d)?%$/)
      // The screenshot: the orders' traces, the struck one among them.
      await page.goto(`${fleet.url}/#/traces?route=/orders`)
      await page.locator('table.traces').waitFor()
      await page.screenshot({ path: `${SCREENSHOTS}traces.png` })
      await page.goto(`${fleet.url}/#/traces?service=order&chaos=1`)
      await row.waitFor()

      await row.getByRole('link', { name: 'POST /orders' }).click()
      const payment = page.locator('.span-row', { hasText: 'order.payment' })
      await payment.waitFor()
      expect(await payment.getAttribute('class')).toContain('struck')
      await payment.click()
      const event = page.locator('.span-details [data-event="chaos.injected"]')
      expect(await event.textContent()).toMatch(
        /^chaos\.injected at \+\d.* · chaos\.fault=payment_fail · chaos\.value=100$/,
      )
      expect(await page.locator('.span-details tr', { hasText: 'order.payment' }).textContent()).toBe(
        'order.paymentfailed',
      )
      // Its order, in the same trace: the one the shop said FAILED.
      expect(await page.locator('.span-row', { hasText: 'order.store' }).count()).toBe(1)
      await page.locator('.span-row', { hasText: 'order.store' }).click()
      expect(await page.locator('.span-details tr', { hasText: 'order.id' }).textContent()).toBe(`order.id${orderId}`)
    } finally {
      await fleet.call('order', 'DELETE', '/chaos')
    }
  })

  it('says why a search is refused, naming the parameter, as the store does', async () => {
    await page.goto(`${fleet.url}/#/traces?min=5&max=1`)
    const said = page.locator('[data-store="refused"]')
    await said.waitFor()
    expect(await said.textContent()).toBe('maxDuration: 1ms is less than minDuration (5ms)')
  })
})

describe('the service map', () => {
  it('draws the services, their PostgreSQL and Redis, each edge with its figures, a fault and a down edge marked', async () => {
    const latency = await fleet.call('order', 'POST', '/chaos/network/order-restaurant/toxics', {
      type: 'latency',
      attributes: { latency: 300 },
      ttl_s: 60,
    })
    expect(latency.status).toBe(200)
    const down = await fleet.call('user', 'POST', '/chaos/network/user-redis', { enabled: false, ttl_s: 60 })
    expect(down.status).toBe(200)
    try {
      // Traffic for the minute's figures: orders (calls to user and restaurant, their databases).
      const headers = { ...(await fleet.login()), 'content-type': 'application/json' }
      for (let i = 0; i < 4; i++) {
        await fetch(`${fleet.services.order.baseUrl}/orders`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ items: [{ menu_id: 3, quantity: 1 }], address: 'Seoul', phone: '010-1234-5678' }),
        })
      }
      await page.goto(`${fleet.url}/#/map`)
      const state = (edge: string) => page.locator(`[data-edge-state="${edge}"]`)
      await expect.poll(() => state('order-restaurant').textContent(), { timeout: 10_000 }).toBe('latency 300 ms')
      expect(await state('user-redis').textContent()).toBe('down')
      expect(await page.locator('[data-map-edge="order-restaurant"]').getAttribute('class')).toBe('map-edge fault')
      expect(await page.locator('[data-map-edge="user-redis"]').getAttribute('class')).toMatch(/^map-edge down/)
      expect(await state('order-user').textContent()).toBe('healthy')
      // The calls between services from the web server's scrapes; the databases' from the kept traces.
      const cells = (edge: string) => page.locator(`tr[data-edge="${edge}"] td`).allTextContents()
      await expect
        .poll(async () => (await cells('order-restaurant'))[4], { timeout: 15_000 })
        .toBe('the web server’s scrapes')
      await expect.poll(async () => (await cells('restaurant-postgres'))[4], { timeout: 15_000 }).toBe('kept traces')
      const [, rate, errors, p95] = await cells('order-restaurant')
      expect(Number(rate?.replace('/s', ''))).toBeGreaterThan(0)
      expect(errors).toMatch(/^\d+(\.\d+)?%$/)
      expect(p95).toMatch(/^\d+(\.\d+)? (ms|s)$/)
      expect(await page.locator('[data-map-summary]').textContent()).toContain('1 edge with a fault, 1 down')
      await page.screenshot({ path: `${SCREENSHOTS}service-map.png`, fullPage: true })
      expect(await scrollsSideways(page)).toBe(false)
    } finally {
      await fleet.call('order', 'DELETE', '/chaos/network/order-restaurant/toxics/latency_downstream')
      await fleet.call('user', 'POST', '/chaos/network/user-redis', { enabled: true })
    }
  })
})

describe('the charts', () => {
  it('charts rate, errors and p95 per service and route, a fault as a band, and opens a slow request’s trace from its point', async () => {
    // Slow orders while the restaurant service answers 300 ms late: a fault window, and slow points in it.
    expect((await fleet.call('restaurant', 'POST', '/chaos/delay', { delay_ms: 300, ttl_s: 60 })).status).toBe(200)
    const headers = { ...(await fleet.login()), 'content-type': 'application/json' }
    for (let i = 0; i < 3; i++) {
      await fetch(`${fleet.services.order.baseUrl}/orders`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ items: [{ menu_id: 4, quantity: 1 }], address: 'Seoul', phone: '010-1234-5678' }),
      })
    }
    await fleet.call('restaurant', 'DELETE', '/chaos')
    await page.goto(`${fleet.url}/#/charts`)
    const order = page.locator('[data-chart-service="order"]')
    await order.locator('canvas').first().waitFor({ timeout: 15_000 })
    expect(await page.locator('[data-source]').getAttribute('data-source')).toBe('scrapes')
    expect(await order.locator('.legend li').allTextContents()).toContain('/orders')
    expect(await order.locator('figure.chart figcaption').allTextContents()).toEqual([
      'Requests per second',
      '5xx per second',
      'p95 latency',
    ])
    // The fault as a band, said in the list too (and the faults of the tests before, when they ran).
    const said = await page.locator('.band-list li').allTextContents()
    expect(said).toContainEqual(
      expect.stringMatching(/^fault: delay 300 \(restaurant\) · \d\d:\d\d:\d\d–(\d\d:\d\d:\d\d|now)$/),
    )
    // A slow request's point on the latency chart opens its trace.
    const point = order.locator('[data-chart="p95_ms"] a.exemplar').first()
    await point.waitFor({ timeout: 15_000 })
    // The last 5 minutes, once the reads have run for a minute: lines to look at in the screenshot.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, readingSince + 60_000 - Date.now())))
    await page.getByLabel('Time range').selectOption('5')
    await page.locator('[data-source]', { hasText: 'A point every 5 s' }).waitFor()
    await page.screenshot({ path: `${SCREENSHOTS}charts.png`, fullPage: true })
    expect(await point.getAttribute('title')).toMatch(/^POST \/orders 201, \d.* at \d\d:\d\d:\d\d: open its trace$/)
    const traceId = await point.getAttribute('data-exemplar')
    await point.click()
    expect(page.url()).toBe(`${fleet.url}/#/traces/${traceId}`)
    await page.locator('.trace-summary').waitFor()
    expect(await page.locator('.trace-summary strong').textContent()).toBe('POST /orders')
  })
})

describe('the pages on a 390 px phone', () => {
  it('fit: no sideways scroll, every button within the screen', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      storageState: await page.context().storageState(),
    })
    try {
      const pages = [
        { name: 'traces', hash: '#/traces?chaos=1', ready: 'table.traces' },
        { name: 'waterfall', hash: `#/traces/${orderTrace}`, ready: '.log-lines' },
        { name: 'service-map', hash: '#/map', ready: 'table.map-edges' },
        { name: 'charts', hash: '#/charts', ready: '.chart-service canvas' },
      ]
      for (const { name, hash, ready } of pages) {
        await phone.goto(`${fleet.url}/${hash}`)
        await phone.locator(ready).first().waitFor({ timeout: 15_000 })
        await phone.screenshot({ path: `${SCREENSHOTS}${name}-390.png`, fullPage: true })
        expect(await scrollsSideways(phone), name).toBe(false)
        const outside = await phone
          .locator('main button, main a')
          .evaluateAll((items) => items.filter((item) => item.getBoundingClientRect().right > 390).length)
        expect(outside, name).toBe(0)
      }
    } finally {
      await phone.close()
    }
  })
})
