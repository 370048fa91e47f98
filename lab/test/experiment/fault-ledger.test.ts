import { describe, expect, it } from 'vitest'
import { FaultLedger, parametersOf } from '../../src/experiment/fault-ledger.ts'
import type { SeenFault } from '../../src/experiment/fault-observer.ts'

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

  describe('held against what the fleet shows', () => {
    const sighting = (askedS: number, faults: SeenFault[], read = ['order', 'proxy']) => ({
      askedS,
      answeredS: askedS + 0.05,
      faults,
      read: new Set(read),
    })
    const delay: SeenFault = { service: 'order', fault: 'delay', value: 100 }

    it('keeps a fault in force from before the run to its end as a condition of the run, not a change', () => {
      const ledger = new FaultLedger(() => 0)
      ledger.reconcile(sighting(0, [delay]))
      ledger.reconcile(sighting(1, [delay]))
      expect(ledger.windows()).toEqual([
        expect.objectContaining({ service: 'order', fault: 'delay', foreign: true, from_s: 0 }),
      ])
      expect(ledger.tampering()).toEqual([])
      ledger.reconcile(sighting(2, []))
      expect(ledger.tampering()).toEqual([
        'order delay, in force before the run, was taken away by another client at 2 s',
      ])
    })

    it('does not judge a fault while this run is setting or undoing it', () => {
      let now = 1
      const ledger = new FaultLedger(() => now)
      ledger.reconcile(sighting(0, []))
      const done = ledger.changing('order', 'delay')
      // The service has it; this run's answer has not come back yet.
      ledger.reconcile(sighting(1.1, [delay]))
      now = 1.2
      ledger.open({ service: 'order', fault: 'delay', value: 100, from_s: 1 }, 60)
      done()
      ledger.reconcile(sighting(2, [delay]))
      const undone = ledger.changing('order', 'delay')
      ledger.reconcile(sighting(3, []))
      ledger.close(3.1, 'order', 'cleared', 'delay')
      undone()
      ledger.reconcile(sighting(4, []))
      expect(ledger.tampering()).toEqual([])
      expect(ledger.windows()).toEqual([expect.objectContaining({ fault: 'delay', ended_by: 'cleared' })])
    })

    it('judges only what a plane that answered shows', () => {
      const ledger = new FaultLedger(() => 0)
      ledger.open({ service: 'order', fault: 'delay', value: 100, from_s: 0 }, null)
      ledger.reconcile(sighting(1, [], ['proxy']))
      expect(ledger.tampering()).toEqual([])
      ledger.reconcile(sighting(2, [{ ...delay, value: 300 }]))
      // Its own window ends; what is in force now is another client's.
      expect(ledger.windows()).toEqual([
        expect.objectContaining({ value: 100, ended_by: 'changed elsewhere', until_s: 2 }),
        expect.objectContaining({ value: 300, foreign: true, from_s: 2 }),
      ])
    })
  })
})
