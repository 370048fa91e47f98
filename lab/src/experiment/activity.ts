/**
 * What one activity of an experiment does, by its provider: an HTTP call, a PromQL query over the
 * run's scrapes, the invariants, or a fleet action (actions/). See docs/experiments.md#providers.
 */

import { setTimeout } from 'node:timers/promises'
import { evaluate, plainValue, type SampleStore } from '@food/promql'
import { request } from 'undici'
import { alertmanagerAlerts, matches, prometheusAlerts } from '../fleet/alerts.ts'
import { checkInstantInvariants, checkInvariants } from '../fleet/invariants.ts'
import type { RunContext } from './actions/action.ts'
import { runFleetAction } from './actions/index.ts'
import type { ActivityDefinition } from './format.ts'

/** Runs one activity; throws when an action fails. */
export async function executeActivity(
  activity: ActivityDefinition,
  run: RunContext,
  store: SampleStore,
): Promise<unknown> {
  const provider = activity.provider
  switch (provider.type) {
    case 'http':
      return callHttp(provider, activity.type === 'action')
    case 'prometheus':
      return plainValue(evaluate(provider.query, store))
    case 'alert':
      return firingCount(provider, run)
    case 'invariants':
      return readInvariants(run, provider.settle_timeout_s ?? 60)
    case 'fleet':
      return runFleetAction(provider, run)
  }
}

type HttpProvider = Extract<ActivityDefinition['provider'], { type: 'http' }>
type AlertProvider = Extract<ActivityDefinition['provider'], { type: 'alert' }>

/** How many alerts matching the probe fire now, from Prometheus or Alertmanager; with wait_s, once one does or the wait is over. */
async function firingCount(provider: AlertProvider, run: RunContext): Promise<number> {
  const count = async () => {
    const alerts =
      provider.source === 'alertmanager'
        ? await alertmanagerAlerts(String(run.configuration.alertmanager_url))
        : await prometheusAlerts(String(run.configuration.prometheus_url))
    return alerts.filter((alert) => alert.state === 'firing' && matches(alert, provider.alert, provider.labels)).length
  }
  const until = Date.now() + (provider.wait_s ?? 0) * 1000
  let firing = await count()
  while (firing === 0 && Date.now() < until && !run.stopping()) {
    await setTimeout(1000)
    firing = await count()
  }
  return firing
}

/** The answer, parsed when it is JSON; for an action, a 4xx or 5xx is a failure. */
async function callHttp(provider: HttpProvider, isAction: boolean) {
  const answer = await request(provider.url, {
    method: provider.method ?? 'GET',
    headers: {
      ...(provider.arguments === undefined ? {} : { 'content-type': 'application/json' }),
      ...provider.headers,
    },
    body: provider.arguments === undefined ? null : JSON.stringify(provider.arguments),
    headersTimeout: (provider.timeout ?? 5) * 1000,
    bodyTimeout: (provider.timeout ?? 5) * 1000,
  })
  const text = await answer.body.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {}
  if (isAction && answer.statusCode >= 400)
    throw new Error(`${provider.method ?? 'GET'} ${provider.url} answered ${answer.statusCode}: ${text.slice(0, 200)}`)
  return { status: answer.statusCode, headers: answer.headers, body }
}

/**
 * Before a load there is nothing to check; while it runs, what holds at every instant; once it is
 * done, everything, after its orders have settled (and the journal keeps that last reading).
 */
async function readInvariants(run: RunContext, settleTimeoutS: number) {
  const { load } = run
  if (load?.untilMs !== undefined)
    run.say(`waiting for the load's orders to settle (at most ${settleTimeoutS} s), then checking the invariants`)
  const invariants = !load
    ? []
    : load.untilMs === undefined
      ? await checkInstantInvariants(run.client, { menuId: load.menuId, initialStock: load.stock })
      : await checkInvariants(run.client, {
          users: load.users,
          menuId: load.menuId,
          initialStock: load.stock,
          settleTimeoutS,
        })
  if (load?.untilMs !== undefined) run.journal.invariants = invariants
  return {
    ok: invariants.every((invariant) => invariant.ok),
    broken: invariants.filter((invariant) => !invariant.ok).map((invariant) => invariant.name),
    checked: !load ? 'no load yet' : load.untilMs === undefined ? 'while the load runs' : 'after the load, settled',
    invariants,
  }
}
