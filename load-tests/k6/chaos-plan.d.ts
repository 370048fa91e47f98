// The types of chaos-plan.js, for the Node runner (the k6 scripts read the JavaScript itself).
import type { Experiment, LoadDefinition } from '../src/experiment/format.ts'

export interface ScheduledFault {
  service: 'user' | 'restaurant' | 'order'
  fault: string
  value: number | boolean
  fromS: number
  untilS: number
}

export function scheduleOf(experiment: Pick<Experiment, 'method'> | { method: unknown[] }): {
  load: LoadDefinition | undefined
  durationS: number
  faults: ScheduledFault[]
}
