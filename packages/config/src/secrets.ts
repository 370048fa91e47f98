import { Type } from '@sinclair/typebox'

/**
 * The mark every development secret in this repository carries (`dev-only-…`), so production can
 * refuse all of them, the built-in defaults and the ones written in compose files alike.
 */
export const DEV_SECRET_MARK = 'dev-only'

const MIN_LENGTH = 32
const MIN_DISTINCT_CHARACTERS = 12

/**
 * Why `value` may not protect anything in production, or nothing: a development value, too short,
 * or too repetitive to be random (`"a" × 32`, `"abab…"`). Random 32 bytes in base64 or hex pass.
 */
export function weakSecretProblem(name: string, value: string): string | undefined {
  if (value.toLowerCase().includes(DEV_SECRET_MARK)) {
    return `${name} is a development value (it says ${DEV_SECRET_MARK}); production needs a secret of its own`
  }
  if (value.length < MIN_LENGTH) return `${name} must be at least ${MIN_LENGTH} characters in production`
  if (new Set(value).size < MIN_DISTINCT_CHARACTERS) {
    return `${name} is too repetitive to be random (fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters); use e.g. \`openssl rand -base64 32\``
  }
  return undefined
}

/** Dev-only credential between the services, so `npm start` needs no setup; refused in production. */
export const DEV_SERVICE_TOKEN = 'dev-only-service-token-between-the-fleet-services'

/** SERVICE_TOKEN, for a service that has internal routes or calls them. */
export const serviceTokenEnv = () => ({
  SERVICE_TOKEN: Type.String({ minLength: 32, default: DEV_SERVICE_TOKEN }),
})
