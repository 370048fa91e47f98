export { startTestInfrastructure, type TestInfrastructure } from '@food/test-infrastructure'
export {
  answersSoon,
  type ChildService,
  freePort,
  freePorts,
  type RunningChild,
  spawnService,
  startChild,
  TYPESCRIPT_ENTRY,
} from './child-service.ts'
export {
  createDatabaseFromTemplate,
  freshMigratedDatabase,
  uniqueRedisPrefix,
} from './databases.ts'
export { runDevSeed } from './dev-seed.ts'
export {
  type FleetMember,
  type FleetStarters,
  type FleetUserMember,
  type OrderEnv,
  seedDevData,
  startFleet,
} from './fleet.ts'
export { fleetGlobalSetup, serviceGlobalSetup } from './global-setup.ts'
export { type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.ts'
export { type Program, startSupervised } from './supervised.ts'
export {
  type CallOptions,
  type CallResult,
  errorBody,
  startTestService,
  type TestServiceOptions,
} from './test-service.ts'
