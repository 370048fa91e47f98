/**
 * Reads an experiment file (JSON or YAML) and reports every problem, each with its JSON path, before
 * anything runs (docs/experiments.md#the-file-format).
 */
import { readFile } from 'node:fs/promises'
import { didYouMean, notOneOf } from '@food/errors/suggest'
import { TOXIC_ATTRIBUTES } from '@food/fault-proxy'
import { parseQuery, QueryError } from '@food/promql'
import { type TSchema, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { parse as parseYaml } from 'yaml'
import { isLoopback, LOCAL_TARGETS } from '../fleet/targets.ts'
import { type ActivityDefinition, Experiment } from './format.ts'

export interface Problem {
  /** JSON Pointer into the file, e.g. /method/2/provider/fault. */
  path: string
  message: string
}

export class InvalidExperiment extends Error {
  readonly problems: Problem[]
  /** The experiment with its faulty activities left out, for the fleet checks; none when they cannot run. */
  readonly checkable: LoadedExperiment | undefined

  constructor(file: string, problems: Problem[], checkable?: LoadedExperiment) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  ${p.path || '/'}: ${p.message}`).join('\n')}`,
    )
    this.problems = problems
    this.checkable = checkable
  }
}

/** The configuration every experiment has, each overridable by the file or the environment. */
function givenConfiguration(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    user_url: env.USER_URL ?? LOCAL_TARGETS.user,
    restaurant_url: env.RESTAURANT_URL ?? LOCAL_TARGETS.restaurant,
    order_url: env.ORDER_URL ?? LOCAL_TARGETS.order,
    restaurant_internal_url: env.RESTAURANT_INTERNAL_URL ?? env.RESTAURANT_URL ?? LOCAL_TARGETS.restaurantInternal,
    // The fault proxy's API (Toxiproxy's), which npm start runs.
    toxiproxy_url: env.TOXIPROXY_URL ?? 'http://127.0.0.1:8474',
    // Where kill, pause and restart go: npm start's supervisor, or a Docker engine
    // (FLEET_ENGINE_URL=unix:///var/run/docker.sock under compose).
    engine_url: env.FLEET_ENGINE_URL ?? 'http://127.0.0.1:8475',
    // Only this compose project's containers, when several stacks run on one engine (any when empty).
    compose_project: env.COMPOSE_PROJECT_NAME ?? '',
    // Where the alert probes and the record's alerts.jsonl read the alerts (npm start runs both).
    prometheus_url: env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
    alertmanager_url: env.ALERTMANAGER_URL ?? 'http://127.0.0.1:9093',
    // Where the run receives Alertmanager's notifications, on loopback (npm start's sends there); off: none.
    alert_webhook: env.ALERT_WEBHOOK_PORT === 'off' ? 'off' : `127.0.0.1:${env.ALERT_WEBHOOK_PORT ?? 9095}`,
    // npm start's trace store (Tempo's API): the record's traces.jsonl, unless --traces listens itself.
    trace_store_url: env.TRACE_STORE_URL ?? 'http://127.0.0.1:3200',
    // The fleet's Redis, for redis-pause.
    redis_url: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    // The fleet's PostgreSQL server, for terminate-sessions (any database on it will do).
    postgres_url: env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  }
}

type Member = TSchema & { properties?: Record<string, TSchema & { const?: unknown }> }

const REQUIRED = 'Expected required property'
/** The JSON type a schema member takes (integer counts as number). */
const jsonTypeOf = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value
const schemaTypeOf = (member: Member) => (member.type === 'integer' ? 'number' : String(member.type))
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const lastKey = (path: string) => path.slice(path.lastIndexOf('/') + 1)
/** What a value at `path` is called in a message: its key (`service`), unless it is an array's item. */
const nounAt = (path: string) => (/^\d*$/.test(lastKey(path)) ? undefined : lastKey(path))

/**
 * The member of a union that `value` means to be, or the problem that says why none is: a
 * literal not among them; an object by its `type` (then its `action`); else by its JSON type.
 */
function intended(union: TSchema, value: unknown, path: string): Member | Problem {
  const members = (union.anyOf ?? []) as Member[]
  if (members.every((member) => typeof member.const === 'string')) {
    return {
      path,
      message: notOneOf(
        value,
        members.map((member) => member.const as string),
        nounAt(path),
      ),
    }
  }
  const objects = members.filter((member) => member.type === 'object')
  if (isRecord(value) && objects.length > 0) return byDiscriminator(objects, value, path)
  const sameType = members.filter((member) => schemaTypeOf(member) === jsonTypeOf(value))
  if (sameType.length === 1 && sameType[0]) return sameType[0]
  const primitives = [...new Set(members.filter((m) => m.type !== 'object').map(schemaTypeOf))]
  const types = [
    ...new Set(objects.map((member) => member.properties?.type?.const).filter((type) => type !== undefined)),
  ]
  const kinds = [...primitives, ...(types.length > 0 ? [`an object with a type (${types.join(', ')})`] : [])]
  return { path, message: `expected ${kinds.join(', ')}` }
}

/** Of objects told apart by `type` and then `action`, the one `value` names. */
function byDiscriminator(objects: Member[], value: Record<string, unknown>, path: string): Member | Problem {
  let candidates = objects
  for (const key of ['type', 'action']) {
    const named = candidates.map((member) => member.properties?.[key]?.const).filter((name) => name !== undefined)
    if (named.length === 0) break
    const kinds = [...new Set(named.map(String))]
    const matching = candidates.filter((member) => member.properties?.[key]?.const === value[key])
    if (matching.length === 0) {
      const noun = key === 'type' ? `${nounAt(path) ?? 'activity'} type` : `${String(value.type)} action`
      return value[key] === undefined
        ? { path: `${path}/${key}`, message: `required: ${kinds.join(', ')}` }
        : { path: `${path}/${key}`, message: notOneOf(value[key], kinds, noun) }
    }
    candidates = matching
    if (candidates.length === 1) break
  }
  return candidates[0] as Member
}

/** "Unexpected property", with the object's known properties and the closest of them. */
function unknownProperty(schema: Member, path: string): string {
  const known = Object.keys(schema.properties ?? {})
  return `unknown property \`${lastKey(path)}\` (${known.join(', ')})${didYouMean(lastKey(path), known)}`
}

/** Every error of `value` against `schema`; for a union, the errors against the member it means to be. */
function errorsOf(schema: TSchema, value: unknown, path = ''): Problem[] {
  const problems: Problem[] = []
  for (const error of Value.Errors(schema, value)) {
    const at = path + error.path
    if (error.schema.anyOf && error.value !== undefined) {
      const member = intended(error.schema, error.value, at)
      if ('message' in member) problems.push(member as Problem)
      else problems.push(...errorsOf(member, error.value, at))
    } else if (error.message === 'Unexpected property') {
      problems.push({ path: at, message: unknownProperty(error.schema as Member, at) })
    } else problems.push({ path: at, message: error.message === REQUIRED ? 'required' : error.message })
  }
  // One message per path and wording: TypeBox may say the same thing twice, and a missing
  // property is missing, not also "Expected number".
  const missing = new Set(problems.filter((p) => p.message === 'required').map((p) => p.path))
  return problems
    .filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i)
    .filter((p) => !missing.has(p.path) || p.message === 'required')
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Replaces `${name}` in every string; a string that is only a placeholder takes the value's type. */
function substitute(
  value: unknown,
  configuration: Record<string, unknown>,
  path: string,
  problems: Problem[],
): unknown {
  if (typeof value === 'string') {
    for (const [, name = ''] of value.matchAll(PLACEHOLDER)) {
      if (!(name in configuration)) problems.push({ path, message: `\${${name}} is not in the configuration` })
    }
    const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value)
    if (whole?.[1] && whole[1] in configuration) return configuration[whole[1]]
    return value.replace(PLACEHOLDER, (text, name: string) =>
      name in configuration ? String(configuration[name]) : text,
    )
  }
  if (Array.isArray(value)) return value.map((item, i) => substitute(item, configuration, `${path}/${i}`, problems))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, configuration, `${path}/${key}`, problems)]),
    )
  }
  return value
}

const ConfigurationPart = Type.Object({ configuration: Type.Optional(Experiment.properties.configuration) })

function resolveConfiguration(
  declared: NonNullable<Experiment['configuration']>,
  env: NodeJS.ProcessEnv,
  problems: Problem[],
) {
  const resolved: Record<string, unknown> = givenConfiguration(env)
  for (const [name, value] of Object.entries(declared)) {
    if (typeof value !== 'object') resolved[name] = value
    else if (env[value.key] !== undefined) {
      const text = env[value.key] as string
      // The environment holds text: it takes the default's type, where there is one.
      const typed =
        typeof value.default === 'number'
          ? Number(text)
          : typeof value.default === 'boolean'
            ? ({ true: true, false: false } as Record<string, boolean>)[text]
            : text
      if (typed === undefined || Number.isNaN(typed)) {
        problems.push({
          path: `/configuration/${name}`,
          message: `${value.key}="${text}" is not a ${typeof value.default}, as its default is`,
        })
      } else resolved[name] = typed
    } else if (value.default !== undefined) resolved[name] = value.default
    else
      problems.push({
        path: `/configuration/${name}`,
        message: `the environment has no ${value.key}, and no default is given`,
      })
  }
  return resolved
}

const listAt = (value: unknown, path: string) =>
  (Array.isArray(value) ? value : []).map((activity: ActivityDefinition, i) => ({ path: `${path}/${i}`, activity }))

/** Where each activity sits in the file (every one, checked or not). */
function activitiesOf(experiment: Experiment): { path: string; activity: ActivityDefinition }[] {
  return [
    ...listAt(experiment['steady-state-hypothesis']?.probes, '/steady-state-hypothesis/probes'),
    ...listAt(experiment.method, '/method'),
    ...listAt(experiment.rollbacks, '/rollbacks'),
    ...listAt(experiment.safeguards, '/safeguards'),
  ]
}

const within = (problem: Problem, path: string) => problem.path === path || problem.path.startsWith(`${path}/`)

/**
 * What the file means, beyond its shape: checked for the activities whose shape is right even
 * when others' is not, so that one reading lists every problem.
 */
function checkMeaning(
  experiment: Experiment,
  configuration: Record<string, unknown>,
  structural: Problem[],
): Problem[] {
  const problems: Problem[] = []
  // The runner loads and breaks this machine only: the fleet's URLs, the fault proxy's and the
  // engine's (over loopback, or the engine's own socket).
  for (const name of [
    'user_url',
    'restaurant_url',
    'order_url',
    'restaurant_internal_url',
    'toxiproxy_url',
    'engine_url',
  ]) {
    const url = String(configuration[name])
    if (!isLoopback(url) && !(name === 'engine_url' && url.startsWith('unix://'))) {
      problems.push({ path: `/configuration/${name}`, message: `${url}: only this machine (127.0.0.1, localhost)` })
    }
  }
  // A load whose other parts are wrong is still the method's load.
  const loads = listAt(experiment.method, '/method').filter(
    ({ activity }) =>
      isRecord(activity?.provider) &&
      activity.provider.type === 'fleet' &&
      'action' in activity.provider &&
      activity.provider.action === 'load',
  )
  const shapely = activitiesOf(experiment).filter(({ path }) => !structural.some((problem) => within(problem, path)))
  for (const { path, activity } of shapely) {
    const provider = activity.provider
    // (A URL still holding a ${name} was reported as such.)
    if (provider.type === 'http' && !provider.url.includes('${') && !isLoopback(provider.url)) {
      problems.push({
        path: `${path}/provider/url`,
        message: `${provider.url}: only this machine (127.0.0.1, localhost)`,
      })
    }
    if (provider.type === 'prometheus') {
      try {
        parseQuery(provider.query)
      } catch (error) {
        if (!(error instanceof QueryError)) throw error
        problems.push({ path: `${path}/provider/query`, message: error.message })
      }
    }
    if (provider.type === 'fleet' && provider.action === 'toxic') {
      const known = Object.keys(TOXIC_ATTRIBUTES[provider.toxic].properties)
      for (const attribute of Object.keys(provider.attributes ?? {})) {
        if (!known.includes(attribute)) {
          problems.push({
            path: `${path}/provider/attributes/${attribute}`,
            message: `${provider.toxic} has no attribute "${attribute}" (it has ${known.join(', ')})${didYouMean(attribute, known)}`,
          })
        }
      }
    }
    if (provider.type === 'invariants' && loads.length === 0) {
      problems.push({
        path: `${path}/provider`,
        message: 'the invariants are those of a load: the method has no load action',
      })
    }
  }
  if (loads.length > 1)
    problems.push({
      path: '/method',
      message: 'one load action per experiment (its users and menu are what the invariants check)',
    })
  return problems
}

/** An experiment as it will run: every `${name}` substituted, and the configuration it was resolved with. */
export interface LoadedExperiment {
  experiment: Experiment
  configuration: Record<string, unknown>
}

// What stands in for an activity whose shape is wrong, so that the others keep their paths.
const NO_OP: ActivityDefinition = { type: 'probe', name: '(not valid)', provider: { type: 'invariants' } }

/**
 * The experiment, each activity of the wrong shape replaced by a no-op, for the checks
 * against the fleet (its faults, edges and containers) to find theirs too; none when the
 * configuration, where those checks connect, has problems.
 */
function checkable(
  experiment: Experiment,
  configuration: Record<string, unknown>,
  problems: Problem[],
  unshapely: Problem[],
) {
  if (problems.some((problem) => within(problem, '/configuration') || problem.path === '')) return undefined
  const kept = (list: unknown, path: string) =>
    listAt(list, path).map(({ path, activity }) => (unshapely.some((p) => within(p, path)) ? NO_OP : activity))
  return {
    experiment: {
      ...experiment,
      method: kept(experiment.method, '/method'),
      rollbacks: kept(experiment.rollbacks, '/rollbacks'),
    } as Experiment,
    configuration,
  }
}

/**
 * Parses an experiment's text, checks it against the format, resolves its configuration (the
 * environment where it says so) and substitutes `${name}` everywhere; throws InvalidExperiment with
 * every problem.
 */
export function readExperiment(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedExperiment {
  let raw: unknown
  try {
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text)
  } catch (error) {
    throw new InvalidExperiment(file, [
      { path: '', message: `not ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}` },
    ])
  }
  // The configuration first (the rest may hold ${names} where numbers go), then all of it, substituted.
  const configurationProblems = errorsOf(ConfigurationPart, raw)
  if (configurationProblems.length > 0) throw new InvalidExperiment(file, configurationProblems)
  const problems: Problem[] = []
  const declared = (raw as Pick<Experiment, 'configuration'>).configuration ?? {}
  const configuration = resolveConfiguration(declared, env, problems)
  const { configuration: _, ...rest } = raw as Record<string, unknown>
  const resolved = {
    ...(substitute(rest, configuration, '', problems) as object),
    ...(Object.hasOwn(raw as object, 'configuration') ? { configuration: declared } : {}),
  }
  const structural = errorsOf(Experiment, resolved)
  problems.push(...structural)
  // (The fleet's checks skip only the activities whose shape, or a ${name}, is wrong.)
  const unshapely = [...problems]
  problems.push(...checkMeaning(resolved as Experiment, configuration, structural))
  if (problems.length > 0) {
    throw new InvalidExperiment(file, problems, checkable(resolved as Experiment, configuration, problems, unshapely))
  }
  return { experiment: resolved as Experiment, configuration }
}

/** Reads the experiment at `path`; its problems are told of `name` (the path as the user gave it). */
export async function loadExperiment(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  name = path,
): Promise<LoadedExperiment> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InvalidExperiment(name, [
      { path: '', message: code === 'ENOENT' ? 'no such file' : (error as Error).message },
    ])
  }
  return readExperiment(text, name, env)
}
