/**
 * The chaos plane's wire shapes alone (TypeBox, nothing of Fastify or Node), for a client that
 * reads them, such as the web console in the browser.
 */
export { ExperimentRun, ExperimentRunShown, type ExperimentRunShownView } from './experiment-run.ts'
export { FaultState, type FaultStateView } from './fault-state.ts'
