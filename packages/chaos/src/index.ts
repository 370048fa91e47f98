// The control planes' one rule (DNS rebinding, cross-site changes) lives with the fault proxy, the
// lowest of them; service-kit guards the services and the web server with it from here.
export { parseAllowedHosts, refusalOf } from '@food/fault-proxy/request-guard'
export { type ChaosPluginOptions, chaosPlugin } from './chaos-plugin.ts'
export { ExperimentRun } from './experiment-run.ts'
export {
  connectionLeakFault,
  cpuHogFault,
  type FaultDefinition,
  memoryLeakFault,
} from './fault-definition.ts'
