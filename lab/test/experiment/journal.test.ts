import { describe, expect, it } from 'vitest'
import { detectionAndRecovery, type SteadyState } from '../../src/experiment/journal.ts'
import type { Sample } from '../../src/fleet/recorder.ts'
import { type FaultWindow, phasesOf } from '../../src/load/phases.ts'

const check = (at_s: number, met: boolean): SteadyState => ({ at_s, steady_state_met: met, probes: [] })
const fault = (from_s: number, until_s: number): FaultWindow => ({
  service: 'order',
  fault: 'payment_fail',
  value: 30,
  from_s,
  until_s,
  ended_by: 'expired',
})
/**
 * One request every 100 ms from 0 to 30 s: 10 ms, but 500 ms and an error for one in two during
 * 10–20 s (a 503, or no answer at all for one in four).
 */
const samples: Sample[] = Array.from({ length: 300 }, (_, i) => {
  const at = i * 100
  const faulty = at >= 10_000 && at < 20_000 && i % 2 === 0
  const status = faulty ? (i % 4 === 0 ? 0 : 503) : 201
  return { at, endpoint: 'POST /orders', status, latencyMs: faulty ? 500 : 10 }
})

describe('phases, detection and recovery', () => {
  it('splits the load at the faults: baseline, fault, recovery, each with its figures and checks', () => {
    const phases = phasesOf(
      samples,
      { fromMs: 0, untilMs: 30_000 },
      [fault(10, 20)],
      [check(5, true), check(15, false), check(25, true)],
    )
    expect(phases).toEqual([
      {
        phase: 'baseline',
        from_s: 0,
        until_s: 10,
        requests: 100,
        throughput_rps: 10,
        p95_ms: 10,
        p99_ms: 10,
        error_ratio: 0,
        unanswered: 0,
        outcomes: { '201': 100 },
        hypothesis_met: true,
      },
      {
        phase: 'fault',
        from_s: 10,
        until_s: 20,
        requests: 100,
        throughput_rps: 10,
        p95_ms: 500,
        p99_ms: 500,
        error_ratio: 0.5,
        unanswered: 25,
        outcomes: { '201': 50, '503': 25, '0': 25 },
        hypothesis_met: false,
      },
      {
        phase: 'recovery',
        from_s: 20,
        until_s: 30,
        requests: 100,
        throughput_rps: 10,
        p95_ms: 10,
        p99_ms: 10,
        error_ratio: 0,
        unanswered: 0,
        outcomes: { '201': 100 },
        hypothesis_met: true,
      },
    ])
  })

  it('counts an order in flight when the fault came on in the fault, where its payment ran, not in the baseline', () => {
    // Orders of 60 ms every 10 ms; payments fail from 5.107 s: those answered after it failed.
    const inFlight: Sample[] = Array.from({ length: 100 }, (_, i) => {
      const at = 4500 + i * 10
      const failed = at + 60 > 5107
      return {
        at,
        endpoint: 'POST /orders',
        status: 201,
        latencyMs: 60,
        ...(failed ? { reason: 'payment_failed' } : {}),
      }
    })
    const [baseline, during] = phasesOf(inFlight, { fromMs: 4500, untilMs: 5600 }, [fault(5.1, 9)], [])
    expect(baseline?.outcomes).toEqual({ '201': 55 })
    expect(during?.outcomes).toEqual({ '201 payment_failed': 45 })
  })

  it('has no phases without a load, and one baseline without faults', () => {
    expect(phasesOf(samples, null, [], [])).toEqual([])
    expect(phasesOf(samples, { fromMs: 0, untilMs: 30_000 }, [], []).map((phase) => phase.phase)).toEqual(['baseline'])
  })

  it('times detection from the first fault, recovery from the last fault’s end', () => {
    expect(
      detectionAndRecovery(
        [fault(10, 20), fault(12, 18)],
        [check(8, false), check(14, false), check(21, false), check(24, true)],
      ),
    ).toEqual({
      time_to_detect_s: 4,
      time_to_recover_s: 4,
    })
    // A hypothesis that held throughout: nothing detected, nothing to recover from.
    expect(detectionAndRecovery([fault(10, 20)], [check(15, true), check(25, true)])).toEqual({
      time_to_detect_s: null,
      time_to_recover_s: null,
    })
    // Detected, never recovered.
    expect(detectionAndRecovery([fault(10, 20)], [check(15, false), check(25, false)])).toEqual({
      time_to_detect_s: 5,
      time_to_recover_s: null,
    })
  })
})
