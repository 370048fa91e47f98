/**
 * The fleet actions an experiment's method and rollbacks may take, one module each, by the name the
 * file gives (docs/experiments.md#providers).
 */
import type { Action, FleetActionName, FleetProvider, ProviderOf, RunContext } from './action.ts'
import { clearFaults } from './clear.ts'
import { endSessions, holdLock, pauseRedis } from './dependency.ts'
import { runLoad } from './load.ts'
import { networkFault } from './network.ts'
import { processFault } from './process.ts'
import { switchFault } from './switch.ts'

export const ACTIONS: { [A in FleetActionName]: (provider: ProviderOf<A>, run: RunContext) => Promise<unknown> } = {
  fault: switchFault,
  toxic: networkFault,
  'edge-down': networkFault,
  kill: processFault,
  pause: processFault,
  restart: processFault,
  'redis-pause': pauseRedis,
  'terminate-sessions': endSessions,
  'hold-lock': holdLock,
  load: runLoad,
  'clear-faults': clearFaults,
}

export const runFleetAction = (provider: FleetProvider, run: RunContext): Promise<unknown> =>
  (ACTIONS[provider.action] as Action<FleetActionName>)(provider as never, run)
