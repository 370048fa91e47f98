/**
 * The original sample's five k6 load scripts (`k6-script/0N-*.js`), replayed against this fleet:
 * their setup and a few iterations each, with their exact URLs (ports 8001–8003), headers and
 * bodies, and every check they make. k6 itself cannot run here; what the scripts send is
 * reproduced request by request (see k6-http.ts).
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkRecorder } from './checks.ts'
import { http } from './k6-http.ts'
import { type OriginalFleet, startOriginalFleet } from './original-fleet.ts'

let original: OriginalFleet
beforeAll(async () => {
  original = await startOriginalFleet()
})
afterAll(() => original?.close())

const JSON_HEADERS = { 'Content-Type': 'application/json' }
const ORDER_OF_MENU_1 = (quantity: number) =>
  JSON.stringify({ items: [{ menu_id: 1, quantity }], address: '서울시 강남구 123-45', phone: '010-1234-5678' })

/** `login()` of the scripts: an OAuth2 password form; the token, or undefined. */
async function login(check: ReturnType<typeof checkRecorder>['check'], username: string, password: string) {
  const response = await http.post(
    original.at(8001, '/login'),
    { username, password },
    { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
  )
  check(response, { 'login successful': (r) => r.status === 200 })
  return response.status === 200 ? (JSON.parse(response.body).access_token as string) : undefined
}

/** The setup's signup: the scripts go on only when it answers 201, or 400 for "already registered". */
async function signup(username: string, email: string, password: string) {
  const response = await http.post(original.at(8001, '/signup'), JSON.stringify({ username, email, password }), {
    headers: JSON_HEADERS,
  })
  return response.status
}

/**
 * `npm run restock`, as the README has a user run it between the original's scripts (in a child
 * process of its own, awaited: the fleet answers it from this one).
 */
async function restock() {
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'restock'], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    env: {
      ...process.env,
      RESTAURANT_SERVICE_URL: original.fleet.restaurant.baseUrl,
      SERVICE_TOKEN: original.fleet.restaurant.config.SERVICE_TOKEN,
    },
  })
  expect(stdout).toMatch(/restocked \d+ menus? to 100 each/)
}

const bearer = (token: string | undefined) => ({ headers: { ...JSON_HEADERS, Authorization: `Bearer ${token}` } })

// In the original's order (its run-tests.sh all), with nothing between them: no reset, no restock,
// and the 30% payment failure script 01 leaves in force for the four after it.
describe('the original k6 scripts, replayed as run-tests.sh all runs them', () => {
  it('01 chaos engineering: signup (201, then 400 on a rerun), form login, 30% payment failure, orders 201 with FAILED or not', async () => {
    const { check, failed, runs } = checkRecorder()
    // The setup of two runs of the script: the second finds the user and must still go on.
    expect(await signup('user123', 'user123@example.com', 'password123')).toBe(201)
    expect(await signup('user123', 'user123@example.com', 'password123')).toBe(400)
    const token = await login(check, 'user123', 'password123')
    const setFailRate = await http.post(
      original.at(8003, '/chaos/payment_fail'),
      JSON.stringify({ fail_percent: 30 }),
      { headers: JSON_HEADERS },
    )
    check(setFailRate, { 'payment fail rate set': (r) => r.status === 200 })
    const stockBefore = await original.stockOf(1)
    let successful = 0
    let failedOrders = 0
    for (let iteration = 0; iteration < 12; iteration++) {
      const order = await http.post(original.at(8003, '/orders'), ORDER_OF_MENU_1(2), bearer(token))
      check(order, { 'order response status 201': (r) => r.status === 201 })
      const data = JSON.parse(order.body)
      if (data.status === 'FAILED') failedOrders += 1
      else successful += 1
      const details = await http.get(original.at(8003, `/orders/${data.id}`), bearer(token))
      check(details, { 'order details retrieved': (r) => r.status === 200 })
    }
    expect(failed()).toEqual([])
    expect(runs()).toEqual({
      'login successful': 1,
      'payment fail rate set': 1,
      'order response status 201': 12,
      'order details retrieved': 12,
    })
    expect(successful + failedOrders).toBe(12)
    // What the script is about: a failed payment gives its stock back, a successful one keeps it.
    expect(await original.stockOf(1)).toBe(stockBefore - 2 * successful)
    // The script ends with its 30% still set: the next scripts run under it.
    const chaos = (await original.fleet.order.call('GET', '/chaos')).body
    expect(chaos.faults.payment_fail).toMatchObject({ value: 30 })
  })

  it('02 concurrent orders: ten users sign up, VUs log in with a form and order menu 1 at once; stock exact', async () => {
    const { check, failed } = checkRecorder()
    const users = Array.from({ length: 10 }, (_, i) => ({ username: `testuser${i}`, password: `password${i}` }))
    for (const user of users) {
      expect([201, 400]).toContain(await signup(user.username, `${user.username}@example.com`, user.password))
    }
    const stockBefore = await original.stockOf(1)
    // Ten VUs, two iterations each; a VU logs in once and keeps its token, as the script's module variable.
    const statuses: string[] = []
    await Promise.all(
      users.map(async (user) => {
        const token = await login(check, user.username, user.password)
        for (let iteration = 0; iteration < 2; iteration++) {
          const order = await http.post(original.at(8003, '/orders'), ORDER_OF_MENU_1(1), bearer(token))
          check(order, { 'order created successfully': (r) => r.status === 201 })
          statuses.push(JSON.parse(order.body).status)
        }
      }),
    )
    expect(failed()).toEqual([])
    // Under script 01's 30%: each order CONFIRMED or FAILED (201 both), and only the confirmed keep stock.
    expect(statuses.filter((status) => !['CONFIRMED', 'FAILED'].includes(status))).toEqual([])
    expect(await original.stockOf(1)).toBe(stockBefore - statuses.filter((status) => status === 'CONFIRMED').length)
  })

  it('03 cancel and reorder: ten VUs order, cancel with an empty JSON body (FAILED orders too), reorder, read', async () => {
    const { check, failed, runs } = checkRecorder()
    expect([201, 400]).toContain(await signup('user123', 'user123@example.com', 'password123'))
    const stockBefore = await original.stockOf(1)
    const placed: string[] = []
    const kept: string[] = []
    // Ten VUs (the script's target), two iterations each; each VU logs in once and keeps its token.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const token = await login(check, 'user123', 'password123')
        for (let iteration = 0; iteration < 2; iteration++) {
          const order = await http.post(original.at(8003, '/orders'), ORDER_OF_MENU_1(1), bearer(token))
          check(order, { 'order created successfully': (r) => r.status === 201 })
          if (order.status !== 201) continue
          const orderData = JSON.parse(order.body)
          placed.push(orderData.status)
          // k6 form-encodes the `{}` body to nothing and keeps the script's Content-Type: application/json.
          const cancel = await http.post(original.at(8003, `/orders/${orderData.id}/cancel`), {}, bearer(token))
          check(cancel, { 'order cancelled successfully': (r) => r.status === 200 })
          if (cancel.status !== 200) continue
          const reorder = await http.post(original.at(8003, '/orders'), ORDER_OF_MENU_1(1), bearer(token))
          check(reorder, { 'reorder successful': (r) => r.status === 201 })
          if (reorder.status !== 201) continue
          const reorderData = JSON.parse(reorder.body)
          kept.push(reorderData.status)
          const status = await http.get(original.at(8003, `/orders/${reorderData.id}`), bearer(token))
          check(status, { 'reorder status check': (r) => r.status === 200 })
        }
      }),
    )
    // Script 01's 30% is still on: about a third of the orders FAILED, and their cancels answer
    // 200 as the original's (20 orders: all confirmed in under 0.1% of runs).
    expect(failed()).toEqual([])
    expect(runs()).toMatchObject({ 'order cancelled successfully': 20, 'reorder successful': 20 })
    expect(placed.filter((status) => !['CONFIRMED', 'FAILED'].includes(status))).toEqual([])
    // Every cancel gave back what its order held, a FAILED one nothing more: only confirmed reorders keep stock.
    expect(await original.stockOf(1)).toBe(stockBefore - kept.filter((status) => status === 'CONFIRMED').length)
  })

  it('04 caching effect: an order read twice and the menus read twice, the second of each from the cache', async () => {
    const { check, failed } = checkRecorder()
    expect([201, 400]).toContain(await signup('user123', 'user123@example.com', 'password123'))
    const token = await login(check, 'user123', 'password123')
    const created = await http.post(original.at(8003, '/orders'), ORDER_OF_MENU_1(1), bearer(token))
    expect(created.status).toBe(201)
    const orderId = JSON.parse(created.body).id
    const first = await http.get(original.at(8003, `/orders/${orderId}`), bearer(token))
    check(first, { 'first call successful': (r) => r.status === 200 })
    const second = await http.get(original.at(8003, `/orders/${orderId}`), bearer(token))
    check(second, { 'cached call successful': (r) => r.status === 200 })
    // The script sends its JSON Content-Type and token on the menu reads too.
    const menus = await http.get(original.at(8002, '/menus'), bearer(token))
    check(menus, { 'menus call successful': (r) => r.status === 200 })
    const menusAgain = await http.get(original.at(8002, '/menus'), bearer(token))
    check(menusAgain, { 'menus second call successful': (r) => r.status === 200 })
    expect(failed()).toEqual([])
    // What it measures: the second reads come from Redis.
    expect(second.headers.get('x-cache')).toBe('HIT')
    expect(menusAgain.headers.get('x-cache')).toBe('HIT')
  })

  it('05 microservice communication: log in, read the menus, order the first one, read the order', async () => {
    const { check, failed } = checkRecorder()
    expect([201, 400]).toContain(await signup('testuser', 'testuser@example.com', 'testpass123'))
    for (let iteration = 0; iteration < 3; iteration++) {
      const token = await login(check, 'testuser', 'testpass123')
      const menusResponse = await http.get(original.at(8002, '/menus'), bearer(token))
      check(menusResponse, { 'menus retrieved successfully': (r) => r.status === 200 })
      const menuItems = JSON.parse(menusResponse.body)
      const selectedMenu = menuItems[0]
      expect(selectedMenu).toMatchObject({ id: 1, name: '김치찌개' })
      const order = await http.post(
        original.at(8003, '/orders'),
        JSON.stringify({
          items: [{ menu_id: selectedMenu.id, quantity: 1 }],
          address: '서울시 강남구 123-45',
          phone: '010-1234-5678',
        }),
        bearer(token),
      )
      check(order, { 'order created successfully': (r) => r.status === 201 })
      const status = await http.get(original.at(8003, `/orders/${JSON.parse(order.body).id}`), bearer(token))
      check(status, { 'order status retrieved': (r) => r.status === 200 })
      expect(['CONFIRMED', 'FAILED']).toContain(JSON.parse(status.body).status) // script 01's 30% still on
    }
    expect(failed()).toEqual([])
  })
})

describe('a fresh start between runs: npm run restock', () => {
  it('after a script sold menu 1 out, the next one meets only 409s, until npm run restock', async () => {
    await restock()
    // What a user clears besides between runs: script 01's payment fault.
    expect((await original.fleet.order.call('DELETE', '/chaos')).status).toBe(200)
    const { check } = checkRecorder()
    expect([201, 400]).toContain(await signup('soldout', 'soldout@example.com', 'password123'))
    const token = await login(check, 'soldout', 'password123')
    expect(await original.stockOf(1)).toBe(100)
    for (const quantity of [99, 1]) {
      expect((await http.post(original.at(8003, '/orders'), ORDER_OF_MENU_1(quantity), bearer(token))).status).toBe(201)
    }
    const soldOut = await http.post(original.at(8003, '/orders'), ORDER_OF_MENU_1(1), bearer(token))
    expect(soldOut.status).toBe(409)
    expect(JSON.parse(soldOut.body).error.code).toBe('OUT_OF_STOCK')
    await restock()
    expect(await original.stockOf(1)).toBe(100)
    expect((await http.post(original.at(8003, '/orders'), ORDER_OF_MENU_1(1), bearer(token))).status).toBe(201)
  })
})
