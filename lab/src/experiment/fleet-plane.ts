/**
 * The fleet's two control planes as an experiment sees them, each service's chaos switches and the
 * fault proxy's edges, and the check that every fault it names is there (docs/chaos.md).
 */
import { didYouMean, notOneOf } from '@food/errors/suggest'
import { ToxiproxyClient } from '@food/fault-proxy/toxiproxy-client'
import { request } from 'undici'
import { alertNames } from '../fleet/alerts.ts'
import type { FleetClient, Service } from '../fleet/fleet-client.ts'
import { assertLoopback, type Targets } from '../fleet/targets.ts'
import { engineOf } from './engine.ts'
import { type ActivityDefinition, PROCESS_ACTIONS, SERVICES } from './format.ts'
import type { LoadedExperiment } from './load-file.ts'

export type ChaosSwitch = { name: string; route: string; field: string }

/** The fleet's targets from an experiment's configuration (user_url, …), loopback only. */
export function targetsOf(configuration: Record<string, unknown>): Targets {
  const targets = {
    user: String(configuration.user_url),
    restaurant: String(configuration.restaurant_url),
    order: String(configuration.order_url),
    restaurantInternal: String(configuration.restaurant_internal_url),
  }
  assertLoopback(targets)
  return targets
}

/**
 * The faults each service offers (GET /chaos `available`), and a problem per fault action that
 * names one the service lacks: checked before anything runs.
 */
export async function checkFaults(loaded: LoadedExperiment, client: FleetClient) {
  const available = new Map<Service, ChaosSwitch[]>()
  const problems: { path: string; message: string }[] = []
  for (const service of SERVICES) {
    const answer = await client.call(service, 'GET', '/chaos', { record: false })
    if (answer.status === 200) available.set(service, answer.body.available)
  }
  const actions = [
    ...loaded.experiment.method.map((activity, i) => ({ activity, path: `/method/${i}` })),
    ...(loaded.experiment.rollbacks ?? []).map((activity, i) => ({ activity, path: `/rollbacks/${i}` })),
  ]
  const edgeActions = actions.filter(
    ({ activity }) =>
      activity.provider.type === 'fleet' &&
      (activity.provider.action === 'toxic' || activity.provider.action === 'edge-down'),
  )
  if (edgeActions.length > 0) {
    const url = String(loaded.configuration.toxiproxy_url)
    const edges = await edgesOfProxyAt(url)
    for (const { activity, path } of edgeActions) {
      const edge = (activity.provider as { edge: string }).edge
      if (!edges) {
        problems.push({
          path: `${path}/provider/edge`,
          message: `no fault proxy answers at ${url} (npm start runs one; FAULT_PROXY=off does not)`,
        })
      } else if (!edges.includes(edge)) {
        problems.push({
          path: `${path}/provider/edge`,
          message: `the fault proxy has no edge "${edge}" (it has ${edges.join(', ')})${didYouMean(edge, edges)}`,
        })
      }
    }
  }
  problems.push(...(await checkProcesses(actions, loaded.configuration)))
  problems.push(...(await checkAlerts(loaded)))
  for (const { activity, path } of actions) {
    const provider = activity.provider
    if (provider.type !== 'fleet' || provider.action !== 'fault') continue
    const switches = available.get(provider.service)
    if (!switches) {
      problems.push({
        path: `${path}/provider/service`,
        message: `the ${provider.service} service answers no GET /chaos (down, or CHAOS_ENABLED=false)`,
      })
    } else if (!switches.some((s) => s.name === provider.fault)) {
      const names = switches.map((s) => s.name)
      problems.push({
        path: `${path}/provider/fault`,
        message: `the ${provider.service} service has no fault "${provider.fault}" (it has ${names.join(', ')})${didYouMean(provider.fault, names)}`,
      })
    }
  }
  return { available, problems }
}

/** A problem per alert probe read from Prometheus that names an alert it has not loaded, or when none answers. */
async function checkAlerts(loaded: LoadedExperiment) {
  const { experiment } = loaded
  const probes = [
    ...(experiment['steady-state-hypothesis']?.probes ?? []).map((probe, i) => ({
      probe,
      path: `/steady-state-hypothesis/probes/${i}`,
    })),
    ...experiment.method.map((probe, i) => ({ probe, path: `/method/${i}` })),
    ...(experiment.safeguards ?? []).map((probe, i) => ({ probe, path: `/safeguards/${i}` })),
  ].filter(
    ({ probe }) => probe.provider.type === 'alert' && (probe.provider as { source?: string }).source !== 'alertmanager',
  )
  if (probes.length === 0) return []
  const url = String(loaded.configuration.prometheus_url)
  const names = await alertNames(url)
  return probes.flatMap(({ probe, path }) => {
    const alert = (probe.provider as { alert?: string }).alert
    if (!names)
      return [
        { path: `${path}/provider`, message: `no Prometheus answers at ${url} (npm start runs one when installed)` },
      ]
    if (alert === undefined || names.includes(alert)) return []
    return [{ path: `${path}/provider/alert`, message: notOneOf(alert, names, 'alert Prometheus has loaded') }]
  })
}

/** A problem per process action (kill, pause, restart) whose service the engine has no container of. */
async function checkProcesses(
  actions: { activity: ActivityDefinition; path: string }[],
  configuration: Record<string, unknown>,
) {
  const processActions = actions.filter(
    ({ activity }) =>
      activity.provider.type === 'fleet' && (PROCESS_ACTIONS as readonly string[]).includes(activity.provider.action),
  )
  if (processActions.length === 0) return []
  const engine = engineOf(configuration)
  const url = engine.url
  try {
    if (!(await engine.answers())) {
      return processActions.map(({ path }) => ({
        path: `${path}/provider/service`,
        message: `no container engine answers at ${url} (npm start's supervisor listens on http://127.0.0.1:8475; under compose, FLEET_ENGINE_URL=unix:///var/run/docker.sock)`,
      }))
    }
    const problems: { path: string; message: string }[] = []
    for (const { activity, path } of processActions) {
      const service = (activity.provider as { service: string }).service
      if ((await engine.containersOf(service)).length === 0) {
        problems.push({
          path: `${path}/provider/service`,
          message: `the engine at ${url} runs no container of the ${service} service (label com.docker.compose.service=${service}${engine.project ? `, project ${engine.project}` : ''})`,
        })
      }
    }
    return problems
  } finally {
    await engine.close()
  }
}

/** The edges the fault proxy at `url` has (GET /proxies, Toxiproxy's), or undefined when none answers. */
export async function edgesOfProxyAt(url: string): Promise<string[] | undefined> {
  const proxies = await new ToxiproxyClient(url, { timeoutMs: 2000 }).proxies().catch(() => undefined)
  return proxies === undefined ? undefined : Object.keys(proxies)
}

/** A plane's answer (GET, JSON), or undefined when it does not answer 200 within 2 s: a plane that is down or paused. */
export async function readPlane(url: string): Promise<unknown> {
  try {
    const answer = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 })
    if (answer.statusCode !== 200) return void (await answer.body.dump())
    return await answer.body.json()
  } catch {
    return undefined
  }
}
