/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The callbacks given to page.evaluate run in the browser, on its DOM.)
/**
 * The front end in headless Chromium (Debian's, driven by playwright-core) against the real fleet:
 * a shopper's whole round, then the chaos console failing payments and putting them right. It
 * also takes the screenshots of docs/web.md (screenshots/, with SCREENSHOTS=update).
 */
import { execFileSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebFleet } from './web-fleet.ts'

// The screenshots of docs/web.md are rewritten with SCREENSHOTS=update; otherwise they go to a temporary folder.
const SCREENSHOTS =
  process.env.SCREENSHOTS === 'update'
    ? fileURLToPath(new URL('../screenshots/', import.meta.url))
    : join(tmpdir(), `web-screenshots-${process.pid}/`)

let setup: Awaited<ReturnType<typeof startWebFleet>>
let browser: Browser
let page: Page

beforeAll(async () => {
  setup = await startWebFleet()
  const executablePath = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim()
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] })
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await mkdir(SCREENSHOTS, { recursive: true })
})
afterAll(async () => {
  await browser?.close()
  await setup?.close()
})

const status = () => page.locator('#status')
const go = (hash: string) => page.goto(`${setup.url}/${hash}`)

async function order(menu: string) {
  await go('#/')
  await page.getByRole('button', { name: `Add ${menu} to the order` }).click()
  await page.getByRole('button', { name: 'Place order' }).click()
}

describe('the shop, in a browser', () => {
  it('registers, logs in, orders, sees the order, cancels it, and the stock is back', async () => {
    const loadMenu = await setup.loadMenu('load shop test abc123')
    await go('#/register')
    await page.getByLabel(/^Username/).fill('shopper')
    await page.getByLabel('Email (optional)').fill('shopper@example.com')
    await page.getByLabel(/^Password/).fill('shopper-pass')
    await page.getByRole('button', { name: 'Register' }).click()
    await expect.poll(() => status().textContent()).toContain('Registered')
    await page.getByLabel('Username').fill('shopper')
    await page.getByLabel('Password').fill('shopper-pass')
    await page.getByRole('button', { name: 'Log in' }).click()
    await expect.poll(() => page.locator('#account').textContent()).toContain('Signed in as shopper')

    expect(await setup.stockOf(1)).toBe(100)
    // Menus under their restaurant: the original sample's five, 김치찌개 (menu 1) under 할머니 김치찌개;
    // a load run's menu apart, in the load kitchen, folded below them.
    expect(await page.locator('section.restaurant h2').allTextContents()).toEqual([
      '할머니 김치찌개 · korean',
      '명동 분식 · snack',
      '한강 치킨 · chicken',
      '전주 비빔밥 · korean',
      '부산 밀면 · noodles',
    ])
    const grandma = page.getByRole('region', { name: '할머니 김치찌개' })
    expect(await grandma.locator('[data-menu-id="1"] h3').textContent()).toBe('김치찌개')
    expect(await grandma.locator(`[data-menu-id="${loadMenu}"]`).count()).toBe(0)
    const kitchen = page.locator('details.load-kitchen')
    expect(await kitchen.locator('summary').textContent()).toBe('Load test kitchen: 1 menu made by load runs')
    expect(await kitchen.getAttribute('open')).toBeNull()
    expect(await kitchen.locator(`[data-menu-id="${loadMenu}"]`).count()).toBe(1)
    await page.getByRole('button', { name: 'Add 김치찌개 to the order' }).click()
    await page.getByRole('button', { name: 'One more 김치찌개' }).click()
    await expect.poll(() => page.locator('.cart').textContent()).toContain('김치찌개 × 2')
    await page.screenshot({ path: `${SCREENSHOTS}shop.png` })
    await page.getByRole('button', { name: 'Place order' }).click()
    await expect.poll(() => status().textContent()).toMatch(/Order #\d+ CONFIRMED/)
    expect(await setup.stockOf(1)).toBe(98)
    await expect.poll(() => page.locator('[data-menu-id="1"] .stock').textContent()).toBe('In stock: 98')

    await page.getByRole('link', { name: 'My orders' }).click()
    const row = page.locator('tbody tr').first()
    await expect.poll(() => row.textContent()).toContain('CONFIRMED')
    await row.getByRole('button', { name: /^Cancel order/ }).click()
    await expect.poll(() => status().textContent()).toContain('cancelled')
    await expect.poll(() => row.textContent()).toContain('CANCELLED')
    expect(await setup.stockOf(1)).toBe(100)
  })

  it('shows a sold-out menu disabled, and a refused order with the fleet’s message', async () => {
    const soldOut = await setup.fleet.restaurant.createMenu(0)
    const scarce = await setup.fleet.restaurant.createMenu(3)
    await go('#/')
    const card = page.locator(`[data-menu-id="${soldOut.id}"]`)
    await expect.poll(() => card.textContent()).toContain('Sold out')
    expect(await card.getByRole('button').isDisabled()).toBe(true)
    for (let i = 0; i < 4; i++) await page.locator(`[data-menu-id="${scarce.id}"] button`).click()
    await page.getByRole('button', { name: 'Place order' }).click()
    // The fleet's own words (detail), never "[object Object]".
    await expect.poll(() => status().textContent()).toMatch(/^Order refused: .*\b3\b/)
    await page.getByRole('button', { name: 'Empty the order' }).click()
    await expect.poll(() => page.locator('.cart').textContent()).toContain('Nothing yet')
  })
})

describe('the chaos console, in a browser', () => {
  it('fails every payment, the next order shows FAILED with its reason, then puts it right', async () => {
    await go('#/chaos')
    await page.getByLabel('order payment_fail: fail_percent').fill('100')
    await page.getByLabel('order payment_fail: seconds before it clears itself').fill('60')
    await page.getByRole('button', { name: 'Set order payment_fail' }).click()
    const inForce = page.locator('[data-in-force="order payment_fail"]')
    await expect.poll(() => inForce.textContent()).toMatch(/^100, (60|59|58) s left$/)

    await order('김치찌개')
    await expect.poll(() => status().textContent()).toMatch(/Order #\d+ FAILED: The payment was declined/)
    await page.getByRole('link', { name: 'My orders' }).click()
    // The reason in words, its code in the tooltip.
    const reason = page.locator('tbody tr').first().locator('.reason')
    await expect.poll(() => reason.textContent()).toBe('The payment was declined')
    expect(await reason.getAttribute('title')).toBe('payment_failed')
    expect(await page.locator('tbody tr').first().locator('.order-status').textContent()).toBe('FAILED')
    expect(await setup.stockOf(1)).toBe(100)

    await page.getByRole('link', { name: 'Chaos console' }).click()
    await page.getByRole('button', { name: 'Clear order payment_fail' }).click()
    await expect.poll(() => page.locator('[data-in-force="order payment_fail"]').textContent()).toBe('off')
    await order('김치찌개')
    await expect.poll(() => status().textContent()).toMatch(/Order #\d+ CONFIRMED/)
  })

  it('shows the locking strategy, orders per second and p95 while a load runs, and that the stock invariant holds', async () => {
    await go('#/chaos')
    await expect
      .poll(() => page.locator('.experiment').first().textContent())
      .toContain('stock lock strategy: pessimistic')
    const { headers } = await setup.fleet.login()
    const menu = await setup.fleet.restaurant.createMenu(500)
    // A small load for a few seconds: the console scrapes every 2 s.
    const until = Date.now() + 5000
    const load = (async () => {
      while (Date.now() < until) await setup.fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])
    })()
    await expect
      .poll(() => page.locator('[data-figure="orders"]').textContent(), { timeout: 10_000 })
      .toMatch(/CONFIRMED: \d+\.\d/)
    await expect.poll(() => page.locator('[data-figure="p95"]').textContent()).toMatch(/^\d+ ms$/)
    await load
    await expect.poll(() => page.locator(`.stock [data-menu-id="${menu.id}"]`).count()).toBe(1)
    expect(await page.locator('[data-figure="invariant"]').textContent()).toContain('holds')
    await page.screenshot({ path: `${SCREENSHOTS}console.png`, fullPage: true })

    // The table says that it shows only some menus, and which; the least stock brings the sold-out ones.
    const menuCount = (await setup.fleet.restaurant.call('GET', '/menus')).body.length
    const shown = page.locator('[data-figure="stock-shown"]')
    expect(await shown.textContent()).toBe(`12 of ${menuCount} menus shown (the 12 newest)`)
    await page.getByLabel('Menus shown').selectOption('least-stock')
    await expect.poll(() => shown.textContent()).toBe(`12 of ${menuCount} menus shown (the 12 with the least stock)`)
    expect(await page.locator('.stock tbody tr td:nth-of-type(1)').first().textContent()).toBe('0')
  })
})

describe('the chaos console’s alerts, without Prometheus', () => {
  it('says that Prometheus is not running, and how npm start runs it (alerts-browser.test.ts: with one)', async () => {
    await go('#/chaos')
    const said = page.locator('[data-prometheus="unreachable"]')
    await expect
      .poll(() => said.textContent())
      .toMatch(
        /^Prometheus is not running at http:\/\/127\.0\.0\.1:\d+ \(npm start runs it when installed: apt-get install prometheus prometheus-alertmanager\)\.$/,
      )
    expect(await said.getAttribute('title')).toBe('ECONNREFUSED')
  })
})

describe('the chaos console’s process switches', () => {
  it('shows the process under npm start’s supervisor, kills it and sees it started again', async () => {
    await go('#/chaos')
    const order = page.locator('[data-process="order"]')
    await expect.poll(() => order.textContent()).toMatch(/^running, pid \d+$/)
    const pid = (await order.textContent())?.match(/pid (\d+)/)?.[1]
    await page.getByRole('button', { name: 'Kill the order process' }).click()
    await expect.poll(() => order.textContent(), { timeout: 10_000 }).toMatch(/^running, pid \d+, restarted once$/)
    expect((await order.textContent())?.match(/pid (\d+)/)?.[1]).not.toBe(pid)
    expect(setup.supervised.log).toContainEqual(expect.stringMatching(/order exited \(SIGKILL\)/))
    // The other services have no supervisor here: no process switches shown for them.
    expect(await page.locator('[data-process="user"]').isVisible()).toBe(false)
  })
})

describe('the chaos console’s network map', () => {
  it('draws the edges through the fault proxy and switches a latency, the edge down, and clears them', async () => {
    await go('#/chaos')
    const state = page.locator('[data-edge-state="order-restaurant"]')
    const line = page.locator('[data-map-edge="order-restaurant"]')
    await expect.poll(() => state.textContent()).toBe('healthy')
    expect(await line.getAttribute('class')).toBe('edge healthy')
    await page.getByLabel('order-restaurant: latency in ms').fill('300')
    await page.getByLabel('order-restaurant: seconds before it clears itself').fill('30')
    await page.getByRole('button', { name: 'Latency on order-restaurant' }).click()
    await expect.poll(() => state.textContent()).toBe('latency 300 ms')
    expect(await line.getAttribute('class')).toBe('edge toxic')
    // The fault is the order service's: its GET /chaos says so, as the console does.
    const network = (await setup.fleet.order.call('GET', '/chaos')).body.network
    expect(network.edges['order-restaurant'].toxics).toMatchObject([{ type: 'latency', attributes: { latency: 300 } }])
    await page.getByRole('button', { name: 'Down on order-restaurant' }).click()
    await expect.poll(() => state.textContent()).toBe('down')
    expect(await line.getAttribute('class')).toBe('edge down')
    await page.screenshot({ path: `${SCREENSHOTS}console-network.png`, fullPage: true })
    await page.getByRole('button', { name: 'Clear on order-restaurant' }).click()
    await expect.poll(() => state.textContent()).toBe('healthy')
    expect((await setup.fleet.order.call('GET', '/chaos')).body.network.edges['order-restaurant']).toEqual({
      enabled: true,
      toxics: [],
      down_expires_at: null,
      down_ttl_s: null,
    })
  })
})

describe('the chaos console during an experiment', () => {
  it('shows the experiment its runner announces (step, phase, the probes’ last values), and nothing once it is over', async () => {
    await go('#/chaos')
    const run = {
      title: '30% of payments fail, and every failed order’s stock comes back',
      step: 'method',
      phase: 'fault',
      elapsed_s: 12.4,
      deviated: true,
      probes: [
        { name: 'p95 of POST /orders under 1 s', value: '0.231', met: true },
        { name: 'the stock adds up', value: 'broken: stock never negative', met: false },
      ],
    }
    // What `npm run experiment` says to every service while it runs.
    expect((await setup.fleet.order.call('PUT', '/chaos/run', { json: { run, ttl_s: 30 } })).status).toBe(200)
    const banner = page.locator('.experiment-run')
    await expect.poll(() => banner.textContent(), { timeout: 5000 }).toContain(`Experiment in progress: ${run.title}`)
    expect(await page.locator('[data-figure="run-step"]').textContent()).toBe(
      'method · fault phase · 12 s · the hypothesis has not held',
    )
    expect(await banner.locator('tbody tr').allTextContents()).toEqual([
      'p95 of POST /orders under 1 s0.231✓',
      'the stock adds upbroken: stock never negative✗',
    ])
    await page.screenshot({ path: `${SCREENSHOTS}console-experiment.png` })
    await setup.fleet.order.call('DELETE', '/chaos/run')
    await expect.poll(() => banner.isHidden(), { timeout: 5000 }).toBe(true)
  })
})

/**
 * What is cut: a button whose text overflows it (Clear cut to "Clea") or that its scrolling box
 * or the window clips, and a table that scrolls sideways inside its box.
 */
const cutContent = (on: Page) =>
  on.locator('main').evaluate((main) => {
    const cut: string[] = []
    const right = document.documentElement.clientWidth
    for (const button of main.querySelectorAll('button')) {
      const box = button.getBoundingClientRect()
      if (box.width === 0) continue // folded away (the load kitchen)
      const clip = button.closest('.table-scroll')?.getBoundingClientRect()
      if (button.scrollWidth > button.clientWidth || box.right > right || (clip && box.right > clip.right + 0.5))
        cut.push(`button ${button.textContent}`)
    }
    for (const scroller of main.querySelectorAll('.table-scroll')) {
      if (scroller.scrollWidth > scroller.clientWidth)
        cut.push(`table ${scroller.querySelector('caption, th')?.textContent}`)
    }
    return cut
  })

/** Whether the page is wider than its window (a phone would scroll it sideways). */
const scrollsSideways = (on: Page) =>
  on.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)

/**
 * Per fault row of the chaos console: is each unit (ms, %, s) on its field's line, are Set and Clear
 * side by side, does the row stay inside its service's panel.
 */
const faultRowLayout = (on: Page) =>
  on.locator('.faults tbody tr').evaluateAll((rows) =>
    rows.map((row) => {
      const unitsBeside = [...row.querySelectorAll('input[type="number"]')].map((input) => {
        const unit = input.nextSibling
        // A field with no unit (mb_per_s, connections_per_s) is followed by nothing to see.
        if (!unit?.textContent?.trim()) return true
        const range = document.createRange()
        range.selectNodeContents(unit)
        const [field, text] = [input.getBoundingClientRect(), range.getBoundingClientRect()]
        return text.top < field.bottom && text.left >= field.right
      })
      const [set, clear] = [...row.querySelectorAll('button')].map((button) => button.getBoundingClientRect())
      const panel = row.closest('section')?.getBoundingClientRect()
      return {
        fault: row.getAttribute('data-fault') ?? row.getAttribute('data-edge'),
        unitsBesideFields: unitsBeside.every(Boolean),
        buttonsSideBySide: set !== undefined && clear !== undefined && set.top === clear.top && clear.left > set.right,
        insidePanel: panel !== undefined && row.getBoundingClientRect().right <= panel.right,
      }
    }),
  )

/** A menu name of 100 characters, as a load run names its menu, with no place to break in the title. */
const longName = (i: number) => `load ${String(i).padStart(2, '0')}${'x'.repeat(86)} ${(0xabc000 + i).toString(16)}`

describe('the pages at 1280 and 390 px wide', () => {
  // What a lab looks like after many runs: menus with long names, every edge through the fault proxy.
  beforeAll(async () => {
    await setup.addEdges(20)
    for (let i = 1; i <= 12; i++) await setup.loadMenu(longName(i))
    await setup.fleet.restaurant.call('POST', '/menus', {
      json: { restaurant_id: 2, name: `${'y'.repeat(100)}`, price: 1000, stock: 10 },
    })
  })

  const PAGES = [
    { name: 'shop', hash: '#/', ready: '[data-menu-id="1"]' },
    { name: 'orders', hash: '#/orders', ready: 'table.orders' },
    { name: 'console', hash: '#/chaos', ready: '.faults' },
  ]

  it('fit a 1280 px window: no sideways scroll, each fault’s units beside their fields, its buttons in a row, inside its panel', async () => {
    for (const { name, hash, ready } of PAGES) {
      await go(hash)
      await page.locator(ready).first().waitFor()
      expect(await scrollsSideways(page), name).toBe(false)
      if (name === 'orders') await page.screenshot({ path: `${SCREENSHOTS}orders.png` })
    }
    expect(await cutContent(page)).toEqual([])
    const rows = await faultRowLayout(page)
    // Eighteen switches of the three services (five each, and the restaurant's and the order
    // service's own), and the eight edges of the two planes given the fault proxy.
    expect(rows.map((row) => row.fault)).toHaveLength(26)
    expect(rows.map((row) => row.fault)).toEqual(expect.arrayContaining(['order-restaurant', 'restaurant-redis']))
    for (const row of rows) {
      expect(row).toEqual({ fault: row.fault, unitsBesideFields: true, buttonsSideBySide: true, insidePanel: true })
    }
  })

  it('fit a 390 px phone: no sideways scroll, every button within the screen', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      storageState: await page.context().storageState(),
    })
    try {
      for (const { name, hash, ready } of PAGES) {
        await phone.goto(`${setup.url}/${hash}`)
        await phone.locator(ready).first().waitFor()
        expect(await scrollsSideways(phone), name).toBe(false)
        expect(await cutContent(phone), name).toEqual([])
        const outside = await phone
          .locator('main button')
          .evaluateAll((buttons) => buttons.filter((button) => button.getBoundingClientRect().right > 390).length)
        expect(outside, name).toBe(0)
        await phone.screenshot({ path: `${SCREENSHOTS}${name}-390.png`, fullPage: name !== 'shop' })
      }
      for (const row of await faultRowLayout(phone)) {
        expect(row).toEqual({ fault: row.fault, unitsBesideFields: true, buttonsSideBySide: true, insidePanel: true })
      }
    } finally {
      await phone.close()
    }
  })
})
