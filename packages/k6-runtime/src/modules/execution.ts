/**
 * `k6/execution`: the VU, the scenario and the test, as the scripts see them
 * (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci).
 */
import { TestAbort, vu } from '../vu-state.ts'

const execution = {
  vu: {
    get idInTest() {
      return vu.idInTest
    },
    get iterationInScenario() {
      return vu.iterationInScenario
    },
  },
  scenario: {
    get name() {
      return vu.scenario
    },
    get iterationInTest() {
      return vu.iterationInTest
    },
  },
  test: {
    /** Stops the whole test at once; the run fails (k6 exits with 108). */
    abort(reason = 'test aborted'): never {
      throw new TestAbort(reason)
    },
  },
}

export default execution
