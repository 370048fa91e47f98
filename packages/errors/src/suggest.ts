/**
 * How the fleet and its lab name a bad value: with the valid ones, and the closest of them when
 * one is close enough to be the typo. One definition, for the services' 400s and the lab's CLIs.
 */
import { closest, distance } from 'fastest-levenshtein'

// What of a bad value a message repeats: enough to recognise it, not a request's whole body.
const MAX_SHOWN = 64

/** The valid value `given` was most likely meant to be; undefined when none is near. */
export function closestOf(given: string, valid: readonly string[]): string | undefined {
  // A long text is no typo of a name (and the distance would cost its length times theirs).
  if (valid.length === 0 || given.length > MAX_SHOWN) return undefined
  const best = closest(given, valid as string[])
  // A third of the longer name may differ (at least 2 letters): `ordr`→`order`, not `x`→`user`.
  const allowed = Math.max(2, Math.floor(Math.max(given.length, best.length) / 3))
  return distance(given, best) <= allowed ? best : undefined
}

/** ` — did you mean `order`?`, or nothing when no valid value is near. */
export const didYouMean = (given: string, valid: readonly string[]): string => {
  const best = closestOf(given, valid)
  return best === undefined ? '' : ` — did you mean \`${best}\`?`
}

const article = (noun: string) => (/^[aeiou]/i.test(noun) ? 'an' : 'a')

/**
 * "`ordr` is not a service: user, restaurant, order — did you mean `order`?"; without a noun,
 * "`ordr` is not one of user, restaurant, order — …".
 */
export function notOneOf(given: unknown, valid: readonly string[], noun?: string): string {
  const text = typeof given === 'string' ? given : (JSON.stringify(given) ?? String(given))
  const shown = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text
  const what = noun ? `${article(noun)} ${noun}:` : 'one of'
  return `\`${shown}\` is not ${what} ${valid.join(', ')}${typeof given === 'string' ? didYouMean(given, valid) : ''}`
}
