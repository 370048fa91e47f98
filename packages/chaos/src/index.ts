export { type ChaosPluginOptions, chaosPlugin } from './chaos-plugin.ts'
export { ExperimentRun } from './experiment-run.ts'
export type { FaultDefinition } from './fault-definition.ts'
