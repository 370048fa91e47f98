/**
 * The `load` action: the method's virtual users, one profile for duration_s; resolves when the load
 * is done (docs/experiments.md#providers).
 */
import { startLoad } from '../../load/load.ts'
import { LOAD_PROFILES } from '../../load/load-profiles.ts'
import type { Action } from './action.ts'

export const runLoad: Action<'load'> = async (provider, run) => {
  if (run.load) throw new Error('a load is already running')
  const durationS = provider.duration_s * run.scale
  const concurrency = Math.max(1, Math.round(provider.concurrency * Math.min(run.scale, 1)))
  const load = await startLoad(run.client, run.recorder, {
    name: run.experiment.title.slice(0, 40),
    iteration: LOAD_PROFILES[provider.profile].iteration,
    stock: provider.stock ?? 100_000,
    concurrency,
    durationMs: durationS * 1000,
    maxRequests: provider.max_requests ?? 1_000_000,
    serviceToken: run.serviceToken,
  })
  const running: typeof load & { untilMs?: number } = load
  run.load = running
  // The run may have been told to stop while the load was still making its users.
  if (run.stopping()) running.stop()
  void running.done.then(() => {
    running.untilMs = run.recorder.elapsedMs()
  })
  run.journal.load = {
    profile: provider.profile,
    concurrency,
    duration_s: durationS,
    menu_id: running.menuId,
    users: running.users.length,
  }
  run.say(`load: ${provider.profile}, ${concurrency} users for ${durationS} s`)
  await running.done
  return { menu_id: running.menuId, users: running.users.length, requests: run.recorder.samples.length }
}
