/** `kill`, `pause` and `restart`: a service's process, through the container engine (process-faults.ts). */
import type { Action } from './action.ts'

export const processFault: Action<'kill' | 'pause' | 'restart'> = (provider, run) => run.processes.execute(provider)
