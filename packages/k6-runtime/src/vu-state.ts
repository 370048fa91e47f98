/** What one VU's k6 modules share, in its thread (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci). */
import type { MetricType, Sample } from './metrics.ts'

/**
 * What the k6 modules of one VU share: the samples recorded since the runner last collected them,
 * the VU's identity and iteration, and the tags of the group it is in. One per worker (VU).
 */
export const vu = {
  idInTest: 0,
  /** This VU's iterations so far in the scenario (`__ITER`, exec.vu.iterationInScenario). */
  iterationInScenario: 0,
  /** The scenario's iterations so far, all VUs together (exec.scenario.iterationInTest). */
  iterationInTest: 0,
  scenario: '',
  samples: [] as Sample[],
  groupPath: '',
  /** True while the script's module (its init code) is loading. */
  initContext: true,
  /** k6/data's SharedArrays by name: built here, or handed over from the VU that built them. */
  sharedArrays: {} as Record<string, unknown[]>,
  /** The custom metrics the script declared, by name (k6/metrics). */
  declaredMetrics: {} as Record<string, MetricType>,
}

export function record(sample: Omit<Sample, 'tags'> & { tags?: Record<string, string> }): void {
  const tags: Record<string, string> = { ...sample.tags }
  if (vu.scenario) tags.scenario = vu.scenario
  if (vu.groupPath) tags.group = vu.groupPath
  vu.samples.push({ ...sample, tags })
}

/** Thrown by `exec.test.abort()`: the runner stops every scenario and fails the run. */
export class TestAbort extends Error {
  override name = 'TestAbort'
}

/** Blocks the VU's thread, as k6's sleep does its VU (each VU is a thread of its own here). */
export function blockFor(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}
