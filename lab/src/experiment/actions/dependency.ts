/**
 * The `redis-pause`, `terminate-sessions` and `hold-lock` actions: a dependency of the services
 * failing (Redis stalled, PostgreSQL's sessions ended, a row lock held). See docs/experiments.md#providers.
 */
import { parametersOf } from '../fault-ledger.ts'
import { terminateSessions } from '../terminate-sessions.ts'
import type { Action } from './action.ts'

export const pauseRedis: Action<'redis-pause'> = async (provider, run) => {
  const durationS = provider.duration_s * run.scale
  const asked = run.seconds()
  const answer = await run.redis.pause(durationS, provider.mode)
  run.ledger.open(
    {
      service: 'redis',
      fault: 'client-pause',
      value: provider.duration_s,
      parameters: parametersOf({ ...provider, duration_s: durationS }),
      from_s: asked,
    },
    run.seconds() + durationS,
  )
  return answer
}

export const endSessions: Action<'terminate-sessions'> = async (provider, run) => {
  const at = run.seconds()
  const terminated = await terminateSessions(
    String(run.configuration.postgres_url),
    provider.service,
    provider.database,
  )
  // An instant, not a window: the pool makes new connections at once.
  run.ledger.open(
    {
      service: `${provider.service}-postgres`,
      fault: 'terminate-sessions',
      value: terminated,
      parameters: parametersOf(provider),
      from_s: at,
    },
    at,
  )
  return { terminated }
}

export const holdLock: Action<'hold-lock'> = async (provider, run) => {
  const menuId = provider.menu_id ?? run.load?.menuId
  if (menuId === undefined) throw new Error('hold-lock needs a menu_id when no load of the method runs')
  const durationS = provider.duration_s * run.scale
  const asked = run.seconds()
  const held = await run.locks.hold(menuId, durationS, provider.database)
  run.ledger.open(
    {
      service: 'restaurant-postgres',
      fault: 'row-lock',
      value: menuId,
      parameters: parametersOf({ ...provider, duration_s: durationS, menu_id: menuId }),
      from_s: asked,
    },
    run.seconds() + durationS,
  )
  return held
}
