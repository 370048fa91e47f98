import { type OpenMetricsContentType, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { readingGauge } from '../src/reading-gauge.ts'

const newRegistry = () => {
  const registry = new Registry<OpenMetricsContentType>()
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE)
  return registry
}

describe('readingGauge', () => {
  it('shows what each scrape reads', async () => {
    const registry = newRegistry()
    let stock = 5
    readingGauge(registry, {
      name: 'stock_units',
      help: 'h',
      labelNames: ['menu'],
      read: async () => [{ labels: { menu: '1' }, value: stock }],
    })
    expect(await registry.metrics()).toContain('stock_units{menu="1"} 5')
    stock = 3
    expect(await registry.metrics()).toContain('stock_units{menu="1"} 3')
    expect(await registry.metrics()).toContain('metrics_collect_failures_total{metric="stock_units"} 0')
  })

  it('keeps its last values and counts the failure when a read fails, and the scrape still answers', async () => {
    const registry = newRegistry()
    let down = false
    readingGauge(registry, {
      name: 'stock_units',
      help: 'h',
      labelNames: ['menu'],
      read: async () => {
        if (down) throw new Error('connection refused')
        return [{ labels: { menu: '1' }, value: 7 }]
      },
    })
    await registry.metrics()
    down = true
    const during = await registry.metrics()
    expect(during).toContain('stock_units{menu="1"} 7')
    expect(during).toContain('metrics_collect_failures_total{metric="stock_units"} 1')
  })

  it('counts a read slower than its timeout as failed, without holding the scrape', async () => {
    const registry = newRegistry()
    readingGauge(registry, {
      name: 'slow_units',
      help: 'h',
      labelNames: [],
      timeoutMs: 50,
      read: () => new Promise<never>(() => {}),
    })
    const started = Date.now()
    const text = await registry.metrics()
    expect(Date.now() - started).toBeLessThan(1000)
    expect(text).toContain('metrics_collect_failures_total{metric="slow_units"} 1')
  })

  it('shares one failure counter between the gauges of a registry', async () => {
    const registry = newRegistry()
    for (const name of ['a_units', 'b_units']) {
      readingGauge(registry, { name, help: 'h', labelNames: [], read: async () => Promise.reject(new Error('x')) })
    }
    const text = await registry.metrics()
    expect(text.match(/# TYPE metrics_collect_failures counter/g)).toHaveLength(1)
    expect(text).toContain('metrics_collect_failures_total{metric="a_units"} 1')
    expect(text).toContain('metrics_collect_failures_total{metric="b_units"} 1')
  })
})
