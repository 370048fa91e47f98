export { type ChaosPluginOptions, chaosPlugin } from './chaos-plugin.ts'
export { ExperimentRun } from './experiment-run.ts'
export { delayFault, errorFault, type FaultDefinition } from './fault-definition.ts'
export { type ActiveFault, FaultStore, type FaultValue } from './fault-store.ts'
