// The types of chaos-plan.js, for its tests (the k6 scripts read the JavaScript itself).
import type { FleetService } from '@food/config/service-ports'
import type { Experiment, LoadDefinition } from '@food/lab/format'

export interface ScheduledFault {
  service: FleetService
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
