/**
 * Every call of the original sample's web front end (`frontend/public/js/`), through the NGINX
 * gateway under the singular prefixes its little proxy server offered (`/api/user/…`,
 * `/api/restaurant/…`, `/api/order/…`). Node's fetch follows the same Fetch standard as the
 * browser, so each call is sent as the browser sends it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OriginalFleet, startOriginalFleet } from './original-fleet.ts'

let original: OriginalFleet
beforeAll(async () => {
  original = await startOriginalFleet()
})
afterAll(() => original?.close())

/**
 * The front end's API helper as it behaves: every call carries `Content-Type: application/json`
 * (a FormData body too: the helper's header wins over the browser's multipart one) and the
 * stored token; an answer that is not ok is shown to the user as `data.detail || data.error`.
 */
function frontEnd() {
  let token: string | undefined
  // biome-ignore lint/suspicious/noExplicitAny: the page reads whatever JSON the fleet answered
  const call = async (path: string, init: { method?: string; body?: string | FormData } = {}): Promise<any> => {
    const response = await fetch(`${original.gateway.url}${path}`, {
      ...init,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    })
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const data: any = await response.json()
    if (!response.ok) throw new Error(data.detail || data.error || 'API 호출에 실패했습니다')
    return data
  }
  const form = (fields: Record<string, string>) => {
    const body = new FormData()
    for (const [name, value] of Object.entries(fields)) body.append(name, value)
    return body
  }
  return {
    signIn: (value: string | undefined) => {
      token = value
    },
    register: (user: { username: string; email: string; password: string }) =>
      call('/api/user/signup', { method: 'POST', body: JSON.stringify(user) }),
    login: (credentials: { username: string; password: string }) =>
      call('/api/user/login', { method: 'POST', body: form(credentials) }),
    validateUser: () => call('/api/user/validate', { method: 'POST' }),
    getUser: (id: number) => call(`/api/user/users/${id}`),
    getAllMenus: () => call('/api/restaurant/menus'),
    getMenu: (id: number) => call(`/api/restaurant/menus/${id}`),
    getRestaurants: () => call('/api/restaurant/restaurants'),
    createOrder: (order: unknown) => call('/api/order/orders', { method: 'POST', body: JSON.stringify(order) }),
    getOrder: (id: number) => call(`/api/order/orders/${id}`),
    cancelOrder: (id: number) => call(`/api/order/orders/${id}/cancel`, { method: 'POST' }),
  }
}

describe('the original web front end, through the gateway', () => {
  it('registers, refuses a second registration with a readable message, logs in with its FormData, validates', async () => {
    const api = frontEnd()
    const account = { username: 'testuser1', email: 'test1@example.com', password: 'test123' }
    expect(await api.register(account)).toMatchObject({
      username: 'testuser1',
      email: 'test1@example.com',
      is_active: true,
    })
    await expect(api.register(account)).rejects.toThrow('Username already registered')
    const { access_token } = await api.login(account)
    expect(access_token).toEqual(expect.any(String))
    api.signIn(access_token)
    // The page keeps what validate answers as its user and greets `user.username`.
    const user = await api.validateUser()
    expect(user).toMatchObject({ valid: true, username: 'testuser1', user_id: expect.any(Number) })
    expect(await api.getUser(user.user_id)).toMatchObject({ id: user.user_id, username: 'testuser1' })
    await expect(api.login({ username: 'testuser1', password: 'wrong' })).rejects.toThrow(
      /invalid username or password/i,
    )
  })

  it('shows the menus with their stock and sold-out state, and the cart prices each menu', async () => {
    const api = frontEnd()
    const menus = await api.getAllMenus()
    expect(menus).toHaveLength(20)
    for (const menu of menus) {
      expect(menu).toMatchObject({
        id: expect.any(Number),
        name: expect.any(String),
        description: expect.any(String),
        price: expect.any(Number),
        inventory: expect.any(Number),
        is_available: true,
      })
    }
    expect(await api.getMenu(1)).toMatchObject({ id: 1, name: '김치찌개', price: 9000, inventory: 100 })
    const restaurants = await api.getRestaurants()
    expect(restaurants[0]).toMatchObject({
      name: expect.any(String),
      address: expect.any(String),
      phone: expect.any(String),
      description: expect.any(String),
    })
  })

  it('orders the cart, reads the order and cancels it; an error is shown with its message', async () => {
    const api = frontEnd()
    const account = { username: 'testuser2', email: 'test2@example.com', password: 'test123' }
    await api.register(account)
    api.signIn((await api.login(account)).access_token)
    const cart = [
      { menu_id: 5, quantity: 2 },
      { menu_id: 6, quantity: 1 },
    ]
    const order = await api.createOrder({ items: cart, address: '서울시 강남구 테헤란로 123', phone: '010-1234-5678' })
    expect(order).toMatchObject({ id: expect.any(Number), status: 'CONFIRMED', total_price: 2 * 5000 + 4000 })
    expect(await api.getOrder(order.id)).toMatchObject({ id: order.id, status: 'CONFIRMED' })
    expect((await api.getMenu(5)).inventory).toBe(98)
    expect(await api.cancelOrder(order.id)).toMatchObject({
      message: 'Order cancelled successfully',
      order_id: order.id,
    })
    expect((await api.getMenu(5)).inventory).toBe(100)
    // An order the stock cannot hold: the page shows the fleet's message, not "[object Object]".
    const sixty = { items: [{ menu_id: 7, quantity: 60 }], address: '서울시 강남구', phone: '010-1234-5678' }
    await api.createOrder(sixty)
    const refused = await api.createOrder(sixty).catch((error: Error) => error.message)
    expect(refused).toMatch(/40/)
    expect(refused).not.toContain('[object Object]')
  })
})
