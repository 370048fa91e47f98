/**
 * The `kill`, `pause` and `restart` actions: a service's process, through the container engine
 * (process-faults.ts; docs/chaos.md#process-faults-kill-pause-restart).
 */
import type { Action } from './action.ts'

export const processFault: Action<'kill' | 'pause' | 'restart'> = (provider, run) => run.processes.execute(provider)
