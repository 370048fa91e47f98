import type { TestFleet } from '@food/order-service/test-fleet'
import type { Toxiproxy } from 'toxiproxy-node-client'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkFaults } from '../src/experiment/fleet-plane.ts'
import { readExperiment } from '../src/experiment/load-file.ts'
import { runExperiment } from '../src/experiment/run.ts'
import { FleetClient } from '../src/fleet/fleet-client.ts'
import { checkInvariants } from '../src/fleet/invariants.ts'
import { Recorder, summarise } from '../src/fleet/recorder.ts'
import { startLoad } from '../src/load/load.ts'
import { LOAD_PROFILES } from '../src/load/load-profiles.ts'
import { experimentEnv, fleetTargets } from './experiment-env.ts'
import { FLEET_START_MS, test } from './fixtures.ts'

// Deadlines short enough for a test: the restaurant is waited for 1.5 s, the recoverer runs often.
const ORDER_ENV = {
  RESTAURANT_TIMEOUT_MS: '1500',
  RECOVERY_ENABLED: 'true',
  RECOVERY_INTERVAL_MS: '200',
  PENDING_TIMEOUT_S: '3',
  RELEASE_BACKOFF_MS: '100',
}
// The longest an order may take: validate, reserve and release, each within its deadline.
const ORDER_DEADLINE_MS = 1000 + 1500 + 1500 + 1000

// FAULT_PROXY_URL (set by the fixture): the order service's chaos plane shows and switches its edges' faults.
test.override('fleetEnv', { order: ORDER_ENV })
// The file's helpers share the fixture's fleet; the fixture closes it after the last test.
let fleet: TestFleet
let apiUrl: string
let toxiproxy: Toxiproxy
test.beforeAll(({ proxiedFleet }) => {
  ;({ fleet, apiUrl, toxiproxy } = proxiedFleet)
}, FLEET_START_MS)
test.afterEach(() => toxiproxy.reset())

/** A load of 4 users for 8 s with the fault on from 1 s for `faultMs`; what came of it. */
async function underLoad(fault: () => Promise<unknown>, faultMs: number) {
  const recorder = new Recorder()
  const client = new FleetClient(fleetTargets(fleet), recorder)
  try {
    const load = await startLoad(client, recorder, {
      name: 'network fault',
      iteration: LOAD_PROFILES.order.iteration,
      stock: 100_000,
      concurrency: 4,
      durationMs: Math.max(8000, faultMs + 4000),
      maxRequests: 100_000,
      serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
    })
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await fault()
    await new Promise((resolve) => setTimeout(resolve, faultMs))
    await toxiproxy.reset()
    await load.done
    const invariants = await checkInvariants(client, {
      users: load.users,
      menuId: load.menuId,
      initialStock: load.stock,
      settleTimeoutS: 30,
    })
    const orders = recorder.samples.filter((sample) => sample.endpoint === 'POST /orders')
    const outcomes: Record<string, number> = {}
    for (const sample of orders)
      outcomes[`${sample.status} ${sample.reason ?? ''}`.trim()] =
        (outcomes[`${sample.status} ${sample.reason ?? ''}`.trim()] ?? 0) + 1
    return { invariants, orders, outcomes, latency: summarise(orders.map((sample) => sample.latencyMs)) }
  } finally {
    await client.close()
  }
}

const edge = () => toxiproxy.get('order-restaurant')

describe('network faults on order → restaurant, under load', () => {
  it.each([
    [
      'a 2 s latency',
      async () =>
        (await edge()).addToxic({
          name: 'slow',
          type: 'latency',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: 2000, jitter: 0 },
        }),
      3000,
    ],
    [
      'connections reset by the peer',
      async () =>
        (await edge()).addToxic({
          name: 'reset',
          type: 'reset_peer',
          stream: 'downstream',
          toxicity: 1,
          attributes: { timeout: 0 },
        }),
      3000,
    ],
    [
      'the edge down for 10 s',
      async () => {
        const proxy = await edge()
        return proxy.update({ ...proxy.toJson(), enabled: false })
      },
      10_000,
    ],
  ] as const)(
    '%s: every order answered within its deadlines, every invariant holds',
    async (name, fault, faultMs) => {
      const run = await underLoad(fault, faultMs)
      console.log(
        `${name}: ${run.orders.length} orders ${JSON.stringify(run.outcomes)}, p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms, max ${run.latency.max} ms`,
      )
      expect(run.invariants.filter((invariant) => !invariant.ok)).toEqual([])
      // Every order got an answer (no status 0), none later than the order's deadlines allow.
      expect(run.orders.filter((sample) => sample.status === 0)).toEqual([])
      expect(run.latency.max).toBeLessThan(ORDER_DEADLINE_MS + 1000)
      // The fault did strike: some orders failed or waited because of it.
      expect(run.orders.some((sample) => sample.status !== 201 || sample.latencyMs > 1000)).toBe(true)
    },
    90_000,
  )
})

describe('network faults as an experiment’s actions', () => {
  it('a toxic and an edge down, each undone by its TTL, journalled as the edge’s windows; the rollback resets the proxy', async () => {
    const experiment = {
      title: 'order → restaurant slow, then down',
      'steady-state-hypothesis': {
        title: 'orders are answered within their deadlines and the stock adds up',
        probes: [
          {
            type: 'probe',
            name: 'p99 of POST /orders within the deadlines',
            tolerance: { type: 'range', range: [0, ORDER_DEADLINE_MS / 1000] },
            provider: {
              type: 'prometheus',
              query:
                'histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{route="/orders",method="POST"}[10s]))) >= 0 or vector(0)',
            },
          },
          { type: 'probe', name: 'the stock adds up', tolerance: true, provider: { type: 'invariants' } },
        ],
      },
      method: [
        {
          type: 'action',
          name: 'orders',
          background: true,
          provider: { type: 'fleet', action: 'load', profile: 'order', duration_s: 6, concurrency: 3 },
        },
        {
          type: 'action',
          name: 'order → restaurant 800 ms slow for 2 s',
          pauses: { before: 1, after: 2 },
          provider: {
            type: 'fleet',
            action: 'toxic',
            edge: 'order-restaurant',
            toxic: 'latency',
            attributes: { latency: 800 },
            ttl_s: 2,
          },
        },
        {
          type: 'action',
          name: 'order → restaurant down for 1 s',
          provider: { type: 'fleet', action: 'edge-down', edge: 'order-restaurant', ttl_s: 1 },
        },
      ],
      rollbacks: [{ type: 'action', name: 'clear every fault', provider: { type: 'fleet', action: 'clear-faults' } }],
    }
    const loaded = readExperiment(JSON.stringify(experiment), 'edges.json', experimentEnv(fleet, { toxiproxy: apiUrl }))
    const journal = await runExperiment(loaded, {
      scale: 1,
      hypothesisFrequencyS: 0.5,
      serviceToken: fleet.restaurant.config.SERVICE_TOKEN,
    })
    expect({ status: journal.status, deviated: journal.deviated }).toEqual({ status: 'completed', deviated: false })
    expect(journal.fault_windows.map((w) => [w.service, w.fault, w.value, w.ended_by])).toEqual([
      ['order-restaurant', 'latency', 800, 'expired'],
      ['order-restaurant', 'down', true, 'expired'],
    ])
    const edge = (await toxiproxy.get('order-restaurant')).toJson()
    expect(edge.enabled).toBe(true)
    expect(await (await fetch(`${apiUrl}/proxies/order-restaurant/toxics`)).json()).toEqual([])
    // Both ran out by their TTL: nothing of this run's was left to clear.
    expect(journal.rollbacks[0]?.output).toMatchObject({ cleared: [] })
  }, 60_000)

  it('names an edge the proxy lacks, or a toxic’s attribute it does not have, before anything runs', async () => {
    const method = (provider: object) => [{ type: 'action', name: 'fault', provider: { type: 'fleet', ...provider } }]
    const env = { TOXIPROXY_URL: apiUrl, ORDER_URL: fleet.order.baseUrl }
    expect(() =>
      readExperiment(
        JSON.stringify({
          title: 't',
          method: method({ action: 'toxic', edge: 'order-restaurant', toxic: 'latency', attributes: { delay: 1 } }),
        }),
        'x.json',
        env,
      ),
    ).toThrow('/method/0/provider/attributes/delay: latency has no attribute "delay" (it has latency, jitter)')
    const loaded = readExperiment(
      JSON.stringify({ title: 't', method: method({ action: 'edge-down', edge: 'order-kitchen' }) }),
      'x.json',
      env,
    )
    const client = new FleetClient(fleetTargets(fleet), new Recorder())
    const { problems } = await checkFaults(loaded, client)
    await client.close()
    expect(problems).toEqual([
      {
        path: '/method/0/provider/edge',
        message: 'the fault proxy has no edge "order-kitchen" (it has order-restaurant, order-postgres)',
      },
    ])
  })
})

describe('network faults through the order service’s chaos plane', () => {
  const order = () => fleet.order
  const orderOnce = async () => {
    const { headers } = await fleet.login()
    const started = Date.now()
    const answer = await fleet.placeOrder(headers, [{ menu_id: menuId, quantity: 1 }])
    return { status: answer.status, body: answer.body, ms: Date.now() - started }
  }
  let menuId: number
  beforeAll(async () => {
    menuId = (await fleet.restaurant.createMenu(1000)).id
  })

  it('shows the service’s edges in GET /chaos, and switches a toxic on them, counted and logged as every fault', async () => {
    expect((await order().call('GET', '/chaos')).body.network).toEqual({
      edges: {
        'order-restaurant': { enabled: true, toxics: [], down_expires_at: null, down_ttl_s: null },
        'order-postgres': { enabled: true, toxics: [], down_expires_at: null, down_ttl_s: null },
      },
    })
    const set = await order().call('POST', '/chaos/network/order-restaurant/toxics', {
      json: { type: 'latency', attributes: { latency: 400 }, ttl_s: 30 },
    })
    expect(set).toMatchObject({ status: 200, body: { edge: 'order-restaurant', fault: 'latency_downstream' } })
    expect((await order().call('GET', '/chaos')).body.network.edges['order-restaurant'].toxics).toEqual([
      expect.objectContaining({ name: 'latency_downstream', type: 'latency', attributes: { latency: 400, jitter: 0 } }),
    ])
    // Toxiproxy's own client sees the same toxic: one state, held by the proxy.
    const toxic = await (await toxiproxy.get('order-restaurant')).getToxic('latency_downstream')
    expect(toxic.toJson()).toMatchObject({ type: 'latency', attributes: { latency: 400 } })
    // An order makes two calls to the restaurant (the price, the reserve): each 400 ms slower.
    const slow = await orderOnce()
    expect(slow.status).toBe(201)
    expect(slow.ms).toBeGreaterThanOrEqual(800)
    const metrics = await (await fetch(`${order().baseUrl}/metrics`)).text()
    expect(metrics).toMatch(
      /chaos_fault_changes_total\{[^}]*fault="order-restaurant\/latency"[^}]*action="set"[^}]*\} 1/,
    )
    const removed = await order().call('DELETE', '/chaos/network/order-restaurant/toxics/latency_downstream')
    expect(removed.status).toBe(200)
    expect((await order().call('GET', '/chaos')).body.network.edges['order-restaurant'].toxics).toEqual([])
  })

  it('sets a protocol toxic with text attributes (an HTTP 503 and its body), shown in GET /chaos, striking orders', async () => {
    const set = await order().call('POST', '/chaos/network/order-restaurant/toxics', {
      json: { type: 'http_error', attributes: { status: 503, body: 'kitchen closed' }, ttl_s: 30 },
    })
    expect(set).toMatchObject({ status: 200, body: { edge: 'order-restaurant', fault: 'http_error_downstream' } })
    const shown = await order().call('GET', '/chaos')
    expect(shown.status).toBe(200)
    expect(shown.body.network.edges['order-restaurant'].toxics).toEqual([
      expect.objectContaining({
        type: 'http_error',
        attributes: expect.objectContaining({ status: 503, body: 'kitchen closed' }),
      }),
    ])
    // Every call to the restaurant answered 503 by the edge: the order is refused, nothing stored.
    expect((await orderOnce()).status).toBeGreaterThanOrEqual(500)
    expect((await order().call('DELETE', '/chaos/network/order-restaurant/toxics/http_error_downstream')).status).toBe(
      200,
    )
    expect((await orderOnce()).status).toBe(201)
  })

  it('takes an edge down for its TTL; DELETE /chaos brings it back up with every other fault', async () => {
    const down = await order().call('POST', '/chaos/network/order-restaurant', { json: { enabled: false, ttl_s: 60 } })
    expect(down).toMatchObject({ status: 200, body: { message: 'order-restaurant down for 60 s' } })
    expect((await order().call('GET', '/chaos')).body.network.edges['order-restaurant']).toMatchObject({
      enabled: false,
      down_ttl_s: expect.any(Number),
      down_expires_at: expect.any(String),
    })
    const refused = await orderOnce()
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'DEPENDENCY_UNAVAILABLE' } } })
    await order().call('POST', '/chaos/network/order-restaurant/toxics', { json: { type: 'reset_peer' } })
    const cleared = await order().call('DELETE', '/chaos')
    expect(cleared.body.cleared).toEqual(['order-restaurant/reset_peer', 'order-restaurant/down'])
    expect((await order().call('GET', '/chaos')).body.network).toEqual({
      edges: {
        'order-restaurant': { enabled: true, toxics: [], down_expires_at: null, down_ttl_s: null },
        'order-postgres': { enabled: true, toxics: [], down_expires_at: null, down_ttl_s: null },
      },
    })
    expect((await orderOnce()).status).toBe(201)
  })

  it('answers an unknown edge, toxic or attribute with a 400 naming it', async () => {
    const bad = async (path: string, json: object) => {
      const answer = await order().call('POST', path, { json })
      expect(answer.status, path).toBe(400)
      return answer.body.error
    }
    expect(await bad('/chaos/network/order-kitchen/toxics', { type: 'latency' })).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [expect.objectContaining({ location: 'params', path: '/edge' })],
    })
    // Another service's edge is not this service's to break.
    expect((await bad('/chaos/network/user-postgres', { enabled: false })).code).toBe('VALIDATION_ERROR')
    expect(await bad('/chaos/network/order-restaurant/toxics', { type: 'latencyy' })).toMatchObject({
      details: [expect.objectContaining({ path: '/type' })],
    })
    expect(
      (await bad('/chaos/network/order-restaurant/toxics', { type: 'latency', attributes: { delay: 5 } })).message,
    ).toBe('latency has no attribute "delay" (it has latency, jitter)')
    expect((await order().call('DELETE', '/chaos/network/order-restaurant/toxics/nothing')).status).toBe(404)
    expect((await order().call('GET', '/chaos')).body.network.edges['order-restaurant']).toEqual({
      enabled: true,
      toxics: [],
      down_expires_at: null,
      down_ttl_s: null,
    })
  })
})
