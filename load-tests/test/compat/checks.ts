/**
 * k6's `check(value, {name: predicate})`, recording every outcome: a replay asserts that every
 * check the original script makes passed, by name, as k6's summary would show it.
 */
export function checkRecorder() {
  const outcomes = new Map<string, { passes: number; fails: number }>()
  const check = <T>(value: T, predicates: Record<string, (value: T) => boolean>): boolean => {
    let all = true
    for (const [name, predicate] of Object.entries(predicates)) {
      const passed = predicate(value)
      const outcome = outcomes.get(name) ?? { passes: 0, fails: 0 }
      outcome[passed ? 'passes' : 'fails'] += 1
      outcomes.set(name, outcome)
      all &&= passed
    }
    return all
  }
  /** Checks that failed at least once, with their counts (empty when all passed). */
  const failed = () => [...outcomes].filter(([, outcome]) => outcome.fails > 0)
  /** How many times each check ran. */
  const runs = () => Object.fromEntries([...outcomes].map(([name, { passes, fails }]) => [name, passes + fails]))
  return { check, failed, runs }
}
