import { describe, expect, it } from 'vitest'
import { FaultLedger, parametersOf } from '../../src/experiment/fault-ledger.ts'

describe('the fault ledger', () => {
  it('closes a window by a clear, or by its TTL when that ran out first; a service’s or an edge’s, one fault or all', () => {
    const ledger = new FaultLedger(() => 0)
    ledger.open({ service: 'order', fault: 'payment_fail', value: 30, from_s: 1 }, 11)
    ledger.open({ service: 'order', fault: 'error', value: true, from_s: 2 }, 4)
    ledger.open({ service: 'order-restaurant', fault: 'latency', value: 2000, from_s: 3.06 }, null)
    expect(ledger.anyOpen(5)).toBe(true)
    ledger.close(6, 'order', 'cleared')
    ledger.close(7.04, 'order-restaurant', 'switched off', 'latency')
    expect(ledger.anyOpen(8)).toBe(false)
    expect(ledger.windows()).toEqual([
      { service: 'order', fault: 'payment_fail', value: 30, from_s: 1, until_s: 6, ended_by: 'cleared' },
      { service: 'order', fault: 'error', value: true, from_s: 2, until_s: 4, ended_by: 'expired' },
      // To a tenth of a second, widened: 3.06–7.04 s is kept as 3.0–7.1 s.
      { service: 'order-restaurant', fault: 'latency', value: 2000, from_s: 3, until_s: 7.1, ended_by: 'switched off' },
    ])
  })

  it('leaves a window of another fault, or another service, open', () => {
    const ledger = new FaultLedger(() => 0)
    ledger.open({ service: 'user', fault: 'delay', value: 100, from_s: 0 }, null)
    ledger.close(1, 'user', 'switched off', 'error')
    ledger.close(1, 'order', 'cleared')
    expect(ledger.windows()[0]?.ended_by).toBe('still on at the end')
    expect(ledger.count).toBe(1)
  })

  it('keeps an action’s parameters, not what names it, its target or its value', () => {
    expect(
      parametersOf({
        type: 'fleet',
        action: 'toxic',
        edge: 'order-restaurant',
        toxic: 'latency',
        attributes: { latency: 500 },
        stream: 'upstream',
        ttl_s: 4,
      }),
    ).toEqual({ attributes: { latency: 500 }, stream: 'upstream', ttl_s: 4 })
    expect(
      parametersOf({ type: 'fleet', action: 'fault', service: 'order', fault: 'payment_fail', value: 30 }),
    ).toEqual({})
    expect(parametersOf({ type: 'fleet', action: 'kill', service: 'order', signal: 'SIGTERM' })).toEqual({
      signal: 'SIGTERM',
    })
  })
})
