import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFleet, type TestFleet } from '@food/order-service/test-fleet'
import { freePort, type RunningChild, startChild } from '@food/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metricNames, promqlExpressions } from './config-files.ts'

const SAMPLE_SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], counter: ['_total'] }

let fleet: TestFleet
beforeAll(async () => {
  fleet = await startFleet()
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
})
afterAll(() => fleet.close())

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
    const used = new Set(promqlExpressions().flatMap(metricNames))
    expect(used.size).toBeGreaterThan(15)
    expect([...used].filter((name) => !exposed.has(name))).toEqual([])
  })
})

describe('a real Prometheus', () => {
  let prometheus: RunningChild | undefined
  let url: string
  afterAll(() => prometheus?.stop())

  it('scrapes the three services and stores their series', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prometheus-'))
    const target = (baseUrl: string) => new URL(baseUrl).host
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n${[
        ['user', fleet.user.baseUrl],
        ['restaurant', fleet.restaurant.baseUrl],
        ['order', fleet.order.baseUrl],
      ]
        .map(
          ([job, baseUrl]) =>
            `  - job_name: ${job}\n    static_configs:\n      - targets: ["${target(baseUrl as string)}"]\n`,
        )
        .join('')}`,
    )
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    prometheus = await startChild(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { readyUrl: `${url}/-/ready` },
    )
    const query = async (promql: string) => {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
      return (
        (await response.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
      ).data.result
    }
    let up: Awaited<ReturnType<typeof query>> = []
    for (let i = 0; i < 100 && up.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      up = await query('up == 1').catch(() => [])
    }
    expect(up.map((series) => series.metric.job).sort()).toEqual(['order', 'restaurant', 'user'])
    const orders = await query('sum by (service, status) (orders_total)')
    expect(orders).toContainEqual({
      metric: { service: 'order', status: 'CONFIRMED' },
      value: [expect.any(Number), '1'],
    })
  })
})
