import { describe, expect, it } from 'vitest'
import { isFaultExempt } from '../src/fault-exempt.ts'

describe('the paths no fault touches', () => {
  it('are the instruments and the switches, and what lies under them', () => {
    for (const url of [
      '/health',
      '/health/ready',
      '/metrics',
      '/metrics?x=1',
      '/chaos',
      '/chaos/delay',
      '/docs/json',
      '/redoc',
      '/openapi.json',
    ]) {
      expect(isFaultExempt(url), url).toBe(true)
    }
  })

  it('are not every path that merely begins the same way', () => {
    for (const url of ['/chaosX', '/metricsfoo', '/healthy', '/orders', '/', '/documents']) {
      expect(isFaultExempt(url), url).toBe(false)
    }
  })
})
