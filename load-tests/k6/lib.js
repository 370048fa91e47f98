// Shared by the k6 scripts: the same setup, faults and invariant checks as the Node runner
// (load-tests/src). Run against this machine only:
//   k6 run load-tests/k6/payment-chaos.js            (k6 from https://k6.io; not an npm package)
//   k6 run -e GATEWAY=http://localhost load-tests/k6/storm.js
//   k6 run -e GATEWAY=http://localhost -e CHAOS_TOKEN=… load-tests/k6/storm.js   (docker compose: see docs/load-testing.md)
import { check, fail, sleep } from 'k6'
import exec from 'k6/execution'
import http from 'k6/http'
import { scheduleOf } from './chaos-plan.js'

const gateway = __ENV.GATEWAY
export const URLS = {
  user: gateway ? `${gateway}/api/users` : __ENV.USER_URL || 'http://127.0.0.1:8001',
  restaurant: gateway ? `${gateway}/api/restaurants` : __ENV.RESTAURANT_URL || 'http://127.0.0.1:8002',
  order: gateway ? `${gateway}/api/orders` : __ENV.ORDER_URL || 'http://127.0.0.1:8003',
}

const JSON_HEADERS = { 'Content-Type': 'application/json' }
const SERVICE = {
  headers: { Authorization: `Bearer ${__ENV.SERVICE_TOKEN || 'dev-only-service-token-between-the-fleet-services'}` },
}
const RESTAURANT_DIRECT = __ENV.RESTAURANT_URL || 'http://127.0.0.1:8002'
// Load goes to this machine only, unless its targets are named one by one in LOAD_TARGET_HOSTS
// (comma-separated host names): the Kubernetes load Job names its own cluster's.
const TARGET_HOSTS = (__ENV.LOAD_TARGET_HOSTS || '').split(',').filter((host) => host !== '')
for (const url of [...Object.values(URLS), RESTAURANT_DIRECT]) {
  const host = (/^https?:\/\/(\[[^\]]+\]|[^/:]+)/.exec(url) || [])[1]
  const local = host === '127.0.0.1' || host === 'localhost' || host === '[::1]'
  if (!local && !TARGET_HOSTS.includes(host))
    fail(`refusing to load ${url}: localhost only, or a host named in LOAD_TARGET_HOSTS`)
}
const post = (url, body, params = {}) =>
  http.post(url, JSON.stringify(body), { ...params, headers: { ...JSON_HEADERS, ...(params.headers || {}) } })
export const auth = (token) => ({ headers: { Authorization: `Bearer ${token}` } })

export function createUser(tag) {
  // At most 32 characters, as the user service takes (`k6-storm-19-` and 8 random ones).
  const username = `k6-${tag.slice(-14)}-${Math.random().toString(36).slice(2, 10).padEnd(8, '0')}`
  const password = 'k6-load-password'
  check(post(`${URLS.user}/signup`, { username, password }), { 'signup 201': (r) => r.status === 201 })
  // The original's load scripts log in with an OAuth2 form: so does this one.
  const login = http.post(`${URLS.user}/login`, { username, password })
  if (login.status !== 200) fail(`login failed: ${login.status}`)
  return { username, token: login.json('access_token') }
}

export function createMenu(name, stock) {
  const restaurants = http.get(`${URLS.restaurant}/restaurants`).json()
  if (!restaurants.length) fail('the restaurant service has no restaurant: seed it first')
  // Menu creation is the restaurant's internal route: it takes the fleet's SERVICE_TOKEN (the
  // development value of `npm start` unless told), and is reached directly, never through the gateway.
  const menu = post(
    `${RESTAURANT_DIRECT}/menus`,
    { restaurant_id: restaurants[0].id, name, price: 1000, stock },
    SERVICE,
  )
  if (menu.status !== 201) fail(`could not create a menu: ${menu.status}`)
  return menu.json('id')
}

// A fleet listening beyond loopback (docker compose) takes chaos changes only with its token.
const CHAOS = { headers: __ENV.CHAOS_TOKEN ? { 'X-Chaos-Token': __ENV.CHAOS_TOKEN } : {} }

export function setChaos(service, fault, body, ttlSeconds) {
  post(`${URLS[service]}/chaos/${fault}`, { ...body, ttl_s: ttlSeconds }, CHAOS)
}

export function clearChaos() {
  for (const url of Object.values(URLS)) http.del(`${url}/chaos`, null, CHAOS)
}

/**
 * The k6 options of an experiment file (load-tests/experiments): its load as constant VUs, and a
 * one-iteration scenario per fault of its chaos plan, started when the plan switches it on (the
 * script exports `fault = () => switchScheduledFault(experiment)`).
 */
export function experimentOptions(experiment, extra = {}) {
  const { load, faults } = scheduleOf(experiment)
  const scenarios = { load: { executor: 'constant-vus', vus: load.concurrency, duration: `${load.duration_s}s` } }
  faults.forEach((fault, i) => {
    scenarios[`fault-${i}`] = {
      executor: 'shared-iterations',
      vus: 1,
      iterations: 1,
      startTime: `${fault.fromS}s`,
      exec: 'fault',
    }
  })
  return { ...extra, scenarios }
}

/** A fault scenario's iteration: its fault on (the switch named by GET /chaos), for as long as the plan keeps it. */
export function switchScheduledFault(experiment) {
  const fault = scheduleOf(experiment).faults[Number(exec.scenario.name.slice('fault-'.length))]
  const chaos = http
    .get(`${URLS[fault.service]}/chaos`)
    .json('available')
    .find((available) => available.name === fault.fault)
  if (!chaos) fail(`the ${fault.service} service has no fault ${fault.fault}`)
  setChaos(
    fault.service,
    fault.fault,
    { [chaos.field]: fault.value },
    Math.max(1, Math.ceil(fault.untilS - fault.fromS)),
  )
}

/** Setup from an experiment file: a user per VU of its load, and a menu of its load's stock. */
export function prepareFor(name, experiment) {
  const { load } = scheduleOf(experiment)
  return prepare(name, load.stock ?? 100000, load.concurrency)
}

/** Setup shared by every script: users (one per VU) and a menu of the given stock. */
export function prepare(name, stock, users) {
  clearChaos()
  return {
    menuId: createMenu(`k6 ${name}`, stock),
    stock,
    users: Array.from({ length: users }, (_, i) => createUser(`${name}-${i}`)),
  }
}

export const userOf = (data) => data.users[(exec.vu.idInTest - 1) % data.users.length]

export function placeOrder(data, user, quantity = 1) {
  const response = post(
    `${URLS.order}/orders`,
    { items: [{ menu_id: data.menuId, quantity }], address: 'k6 street 1', phone: '010-0000-0000' },
    { ...auth(user.token), tags: { name: 'POST /orders' } },
  )
  check(response, {
    'order answered, never a bare 500': (r) => r.status !== 500 && r.status !== 0,
    'payment failure is 201 FAILED': (r) => r.status !== 201 || ['CONFIRMED', 'FAILED'].includes(r.json('status')),
  })
  return response
}

/** Every order of a user, page by page (a page holds at most 100; a busy user has more). */
function ordersOf(user) {
  const orders = []
  for (let total = 1; orders.length < total; ) {
    const page = http.get(`${URLS.order}/orders?limit=100&offset=${orders.length}`, auth(user.token)).json()
    if (page.orders.length === 0) break
    orders.push(...page.orders)
    total = page.total
  }
  return orders
}

/** Teardown: faults off, orders settled, then the invariants; a broken one fails the run. */
export function verify(data, settleSeconds = 60) {
  clearChaos()
  let orders = []
  for (let waited = 0; waited <= settleSeconds; waited += 2) {
    orders = data.users.flatMap((user) =>
      ordersOf(user).filter((o) => o.items.some((item) => item.menu_id === data.menuId)),
    )
    if (orders.every((o) => o.status !== 'PENDING' && !['reserving', 'reserved', 'releasing'].includes(o.stock_status)))
      break
    sleep(2)
  }
  const ledger = http.get(`${URLS.restaurant}/inventory/${data.menuId}`).json()
  const confirmed = orders
    .filter((o) => o.status === 'CONFIRMED')
    .flatMap((o) => o.items)
    .filter((item) => item.menu_id === data.menuId)
    .reduce((sum, item) => sum + item.quantity, 0)
  const results = {
    'stock never negative': ledger.stock >= 0,
    'initial = stock + units in CONFIRMED orders': ledger.stock + confirmed === data.stock,
    'initial = stock + units held by the restaurant': ledger.stock + ledger.reserved_units === data.stock,
    'no order left half-way': orders.every((o) => o.status !== 'PENDING' && o.stock_status !== 'releasing'),
  }
  for (const [name, ok] of Object.entries(results)) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`)
  if (Object.values(results).some((ok) => !ok)) exec.test.abort('an invariant broke')
}
