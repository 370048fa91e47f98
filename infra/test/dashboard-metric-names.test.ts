import { FLEET_START_MS, fleetTest, type TestFleet } from '@food/order-service/test-fleet'
import { describe, expect, it } from 'vitest'
import { metricNames, promqlExpressions, rules } from './config-files.ts'

const SAMPLE_SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], counter: ['_total'] }

// The file's helpers share the fixture's fleet; the fixture closes it after the last test.
let fleet: TestFleet
fleetTest.beforeAll(async ({ fleet: started }) => {
  fleet = started
  // Traffic that makes every kind of series appear: orders (confirmed, failed, cancelled),
  // cache hits, chaos, a stock release deferred by a failing restore.
  const menu = await fleet.restaurant.createMenu(20)
  const { headers } = await fleet.login()
  const placed = await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])
  await fleet.order.call('GET', `/orders/${placed.body.id}`, { headers })
  await fleet.order.call('GET', `/orders/${placed.body.id}`, { headers })
  await fleet.order.call('POST', `/orders/${placed.body.id}/cancel`, { headers })
  await fleet.restaurant.call('GET', '/menus')
  await fleet.order.call('POST', '/chaos/payment_fail', { json: { fail_percent: 100 } })
  await fleet.order.call('POST', '/chaos/restore_fail', { json: { fail_percent: 100 } })
  await fleet.placeOrder(headers, [{ menu_id: menu.id, quantity: 1 }])
  await fleet.order.call('DELETE', '/chaos')
  await fleet.order.app.recoverer.runOnce()
  await fleet.user.call('POST', '/chaos/delay', { json: { delay_ms: 1 } })
  await fleet.user.call('GET', '/health/live')
  await fleet.user.call('DELETE', '/chaos')
  await fleet.restaurant.call('PUT', `/inventory/${menu.id}`, {
    json: { order_id: 'x', quantity: 99, operation: 'reserve' },
  })
}, FLEET_START_MS)

describe('dashboards', () => {
  it('use only metric names that the services expose', async () => {
    // Declared series count, also those with no sample yet (a counter that never moved).
    const exposed = new Set<string>()
    for (const service of [fleet.user, fleet.restaurant, fleet.order]) {
      for (const [, name, type] of (await service.metrics()).matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        // OpenMetrics declares a counter without its `_total`, which only its samples carry.
        const suffixes = SAMPLE_SUFFIXES[type as string] ?? ['']
        for (const suffix of suffixes) exposed.add(`${name}${suffix}`)
      }
    }
    // The node exporter's (node_*) and Prometheus' own (up, ALERTS): dashboards-live.test.ts queries them for real.
    const used = new Set(
      promqlExpressions()
        .flatMap(metricNames)
        .filter((name) => !name.startsWith('node_') && name !== 'up' && name !== 'ALERTS'),
    )
    expect(used.size).toBeGreaterThan(15)
    expect([...used].filter((name) => !exposed.has(name))).toEqual([])
  })
})

describe('alerting and recording rules', () => {
  it('read only metric names that the services expose (or that the rules record)', async () => {
    const exposed = new Set<string>()
    for (const service of [fleet.user, fleet.restaurant, fleet.order]) {
      for (const [, name, type] of (await service.metrics()).matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        for (const suffix of SAMPLE_SUFFIXES[type as string] ?? ['']) exposed.add(`${name}${suffix}`)
      }
    }
    const recorded = new Set(rules().flatMap((rule) => (rule.record ? [rule.record] : [])))
    const used = new Set(rules().flatMap((rule) => metricNames(rule.expr)))
    // up, scrape_duration_seconds: Prometheus' own, per target; vector(): a number, not a metric.
    const perTarget = new Set(['up', 'scrape_duration_seconds'])
    const unknown = [...used].filter((name) => !exposed.has(name) && !recorded.has(name) && !perTarget.has(name))
    expect(used.size).toBeGreaterThan(10)
    expect(unknown).toEqual([])
  })
})
