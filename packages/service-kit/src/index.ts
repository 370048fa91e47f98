export type { BaseServiceConfig } from './base-service-config.ts'
export { createFleetService, type FleetInstance, type FleetServiceOptions } from './create-fleet-service.ts'
export { Gate } from './gate.ts'
export { type RunServiceOptions, runService } from './run-service.ts'
