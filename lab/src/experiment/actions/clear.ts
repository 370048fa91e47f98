/**
 * The `clear-faults` action: undoes what this run set, and only that (another client's faults on the
 * fleet are not this run's to clear). See docs/experiments.md#providers.
 */
import type { Service } from '../../fleet/fleet-client.ts'
import type { FaultLedger } from '../fault-ledger.ts'
import type { Action, RunContext } from './action.ts'

/**
 * Its switches off, its toxics removed by name, its downed edges up, the processes it paused
 * resumed, Redis unpaused and its row locks released; `service` limits it to that service's switches.
 */
export const clearFaults: Action<'clear-faults'> = async (provider, run) => {
  const { cleared, failures } = await undoOwnFaults(run, provider.service)
  const resumed: string[] = provider.service ? [] : await run.processes.resumeAll()
  if (!provider.service && (await run.redis.unpause())) {
    run.ledger.close(run.seconds(), 'redis', 'cleared')
    resumed.push('redis')
  }
  if (!provider.service && (await run.locks.releaseAll())) {
    run.ledger.close(run.seconds(), 'restaurant-postgres', 'cleared', 'row-lock')
    resumed.push('restaurant-postgres row lock')
  }
  if (failures.length > 0) throw new Error(`could not undo ${failures.join('; ')}`)
  return { cleared, resumed }
}

/** Switches off this run's switches in force (of one service if named) and, for all, its toxics and downed edges. */
async function undoOwnFaults(run: RunContext, only?: string): Promise<{ cleared: string[]; failures: string[] }> {
  const cleared: string[] = []
  const failures: string[] = []
  for (const window of run.ledger.inForce(run.seconds())) {
    if (only !== undefined && window.service !== only) continue
    const done = run.ledger.changing(window.service, window.fault)
    try {
      if (!(await undoOne(run, window, only))) continue
      run.ledger.close(run.seconds(), window.service, 'cleared', window.fault)
      cleared.push(`${window.service} ${window.fault}`)
    } catch (error) {
      // One that cannot be undone does not keep the others in force.
      failures.push(`${window.service} ${window.fault}: ${(error as Error).message}`)
    } finally {
      done()
    }
  }
  return { cleared, failures }
}

/** Undoes one fault of this run; false when it is not one to undo (a process's, or another service's edges). */
async function undoOne(
  run: RunContext,
  window: ReturnType<FaultLedger['inForce']>[number],
  only?: string,
): Promise<boolean> {
  const chaos = run.available.get(window.service as Service)?.find((s) => s.name === window.fault)
  if (chaos) {
    const off = typeof window.value === 'boolean' ? false : 0
    const answer = await run.client.call(window.service as Service, 'POST', chaos.route, {
      json: { [chaos.field]: off },
      record: false,
    })
    if (answer.status !== 200)
      throw new Error(`POST ${chaos.route} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  } else if (only === undefined && window.fault === 'down') {
    await run.proxy.setEnabled(window.service, true)
  } else if (only === undefined && window.ident !== undefined) {
    await run.proxy.removeToxic(window.service, window.ident)
  } else return false
  return true
}
