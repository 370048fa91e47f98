import { readFileSync } from 'node:fs'
import type { Static, TObject } from '@sinclair/typebox'
import { Ajv, type ErrorObject } from 'ajv'
import addFormatsModule from 'ajv-formats'

// ajv-formats ships CommonJS with a default export that NodeNext types see one level down.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

export class ConfigError extends Error {
  readonly problems: string[]

  constructor(problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false })
addFormats(ajv)

function describe(issue: ErrorObject, data: Record<string, unknown>): string {
  if (issue.keyword === 'required') {
    return `${String(issue.params.missingProperty)} is required but not set`
  }
  const name = issue.instancePath.replace(/^\//, '')
  return `${name} ${issue.message ?? 'is invalid'} (got ${JSON.stringify(data[name])})`
}

/**
 * Reads and validates configuration from environment variables; any variable may instead be
 * read from the file that `<NAME>_FILE` names (Docker and Kubernetes secrets), trimmed.
 * Values are coerced to the schema's types and defaults are filled in; every problem
 * is reported at once, each naming its variable, so a bad start fails in one go.
 * `check` adds rules a schema cannot express (e.g. a dev default refused in production).
 */
export function loadConfig<T extends TObject>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
  check: (config: Static<T>) => string[] = () => [],
): Static<T> {
  const data: Record<string, unknown> = {}
  const fileProblems: string[] = []
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    const file = env[`${key}_FILE`]
    if (value !== undefined && value !== '') {
      if (file) fileProblems.push(`${key} and ${key}_FILE are both set: set one`)
      data[key] = value
    } else if (file) {
      try {
        data[key] = readFileSync(file, 'utf8').trim()
      } catch (error) {
        fileProblems.push(`${key}_FILE names a file that cannot be read (${(error as Error).message})`)
      }
    }
  }
  const validate = ajv.compile<Static<T>>(schema)
  if (!validate(data) || fileProblems.length > 0) {
    throw new ConfigError([...fileProblems, ...(validate.errors ?? []).map((issue) => describe(issue, data))])
  }
  const problems = check(data)
  if (problems.length > 0) throw new ConfigError(problems)
  return data
}
