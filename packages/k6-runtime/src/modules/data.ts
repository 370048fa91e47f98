/** `k6/data`: SharedArray, with k6's rules (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci). */
import { vu } from '../vu-state.ts'

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/**
 * `new SharedArray(name, build)`: the array `build` returns, built once for the whole test (in the
 * first VU's init code; the others get that array under its name), made of its JSON (functions and
 * undefined are dropped, as k6's marshalling drops them) and read-only: a write to it, or to an
 * element, throws. Only in init code, only an array, as k6 insists.
 */
export const SharedArray = function SharedArray(this: unknown, name: string, build: () => unknown[]) {
  if (new.target === undefined) throw new TypeError('SharedArray must be called with new')
  if (typeof name !== 'string' || name === '') throw new Error("empty name provided to SharedArray's constructor")
  if (typeof build !== 'function') throw new Error('a function is expected as the second argument of SharedArray')
  if (!vu.initContext) throw new Error('new SharedArray must be called in the init context')
  let data = vu.sharedArrays[name]
  if (!data) {
    const built = build()
    if (!Array.isArray(built)) throw new Error('only arrays can be made into SharedArray')
    data = JSON.parse(JSON.stringify(built)) as unknown[]
    vu.sharedArrays[name] = data
  }
  // A copy of its own, frozen, so the data handed to later VUs stays as it was built.
  return deepFreeze(JSON.parse(JSON.stringify(data)) as unknown[])
} as unknown as new <T>(
  name: string,
  build: () => T[],
) => readonly T[]

export default { SharedArray }
