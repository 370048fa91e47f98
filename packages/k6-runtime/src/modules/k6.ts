/** `k6`: check, group, sleep, fail, with k6's semantics (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci). */
import { blockFor, record, vu } from '../vu-state.ts'

/**
 * Runs each named check on `value`; each result is a sample of the `checks` rate, tagged with the
 * check's name. True when all passed. A check that throws counts as failed, as in k6.
 */
export function check<T>(
  value: T,
  checks: Record<string, (value: T) => unknown>,
  tags: Record<string, string> = {},
): boolean {
  let all = true
  for (const [name, predicate] of Object.entries(checks)) {
    let passed: boolean
    try {
      passed = Boolean(predicate(value))
    } catch {
      passed = false
    }
    record({ metric: 'checks', type: 'rate', value: passed ? 1 : 0, tags: { ...tags, check: name } })
    all &&= passed
  }
  return all
}

/** Runs `body` inside a named group (its samples are tagged `group: ::name`); returns its result. */
export function group<T>(name: string, body: () => T): T {
  const outer = vu.groupPath
  vu.groupPath = `${outer}::${name}`
  const started = performance.now()
  try {
    return body()
  } finally {
    record({ metric: 'group_duration', type: 'trend', value: performance.now() - started })
    vu.groupPath = outer
  }
}

/** Blocks this VU for `seconds`. */
export function sleep(seconds: number): void {
  blockFor(seconds * 1000)
}

/** Ends the iteration with an error (k6: the iteration is interrupted, the test goes on). */
export function fail(message = ''): never {
  throw new Error(message)
}

export default { check, group, sleep, fail }
