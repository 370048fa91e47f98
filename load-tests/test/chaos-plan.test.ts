import { describe, expect, it } from 'vitest'
import { scheduleOf } from '../k6/chaos-plan.js'

const load = { type: 'fleet', action: 'load', profile: 'order', duration_s: 40, concurrency: 10 }
const fault = (service: string, name: string, value: number | boolean, extra = {}) => ({
  type: 'action',
  name,
  provider: { type: 'fleet', action: 'fault', service, fault: name, value, ...extra },
})

describe('an experiment’s chaos plan as a schedule', () => {
  it('times each fault from the pauses, ends it by its TTL, a clear, a switch to 0 or the method’s end', () => {
    const schedule = scheduleOf({
      method: [
        { type: 'action', name: 'load', background: true, provider: load },
        { ...fault('user', 'delay', 2000, { ttl_s: 14 }), pauses: { before: 4 } },
        { ...fault('restaurant', 'inventory_delay', 3000), pauses: { before: 18 } },
        { ...fault('order', 'payment_fail', 30), pauses: { after: 5 } },
        { ...fault('order', 'payment_fail', 0), pauses: { after: 5 } },
        { type: 'action', name: 'clear', provider: { type: 'fleet', action: 'clear-faults', service: 'restaurant' } },
        { ...fault('order', 'error', true), pauses: { after: 1 } },
      ],
    })
    expect(schedule.load).toEqual(load)
    expect(schedule.durationS).toBe(40)
    expect(schedule.faults).toEqual([
      { service: 'user', fault: 'delay', value: 2000, fromS: 4, untilS: 18 },
      { service: 'restaurant', fault: 'inventory_delay', value: 3000, fromS: 22, untilS: 32 },
      { service: 'order', fault: 'payment_fail', value: 30, fromS: 22, untilS: 27 },
      { service: 'order', fault: 'error', value: true, fromS: 32, untilS: 40 },
    ])
  })

  it('waits for a load that is not in the background', () => {
    const schedule = scheduleOf({
      method: [{ type: 'action', name: 'load', provider: { ...load, duration_s: 10 } }, fault('order', 'error', true)],
    })
    expect(schedule.faults).toEqual([{ service: 'order', fault: 'error', value: true, fromS: 10, untilS: 10 }])
  })
})
