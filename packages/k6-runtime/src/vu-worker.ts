/**
 * One VU: a thread with its own copy of the script (its globals and module state are its own, as
 * in k6), running what the runner asks, one call at a time, and handing back what it recorded.
 * See docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci.
 */
import { readFileSync } from 'node:fs'
import { register } from 'node:module'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parentPort, workerData } from 'node:worker_threads'
import { record, TestAbort, vu } from './vu-state.ts'

/** Each SharedArray of the script by name, as its function built it in the first VU. */
export type SharedArrays = Record<string, unknown[]>

export interface VuWorkerData {
  script: string
  env: Record<string, string>
  vuId: number
  sharedArrays?: SharedArrays
}

export interface RunMessage {
  /** The export to call (`default`, `setup`, a scenario's `exec`…). */
  exec: string
  data: unknown
  scenario: string
  /** The scenario's iteration number, across its VUs. */
  iteration: number
  /** An iteration is counted (iterations, iteration_duration); setup and teardown are not. */
  kind: 'iteration' | 'setup' | 'teardown'
}

export interface DoneMessage {
  result?: unknown
  error?: string
  aborted?: string
  samples: typeof vu.samples
}

const { script, env, vuId, sharedArrays } = workerData as VuWorkerData
const port = parentPort as NonNullable<typeof parentPort>
register('./k6-loader.mjs', import.meta.url, { data: { script: pathToFileURL(script).href } })
/** k6's `open()`: a file read once in the init context, relative to the script, as text or ('b') bytes. */
function open(path: string, mode?: 'b'): string | ArrayBuffer {
  if (!vu.initContext) throw new Error('open() is only available in the init context (outside the exported functions)')
  const file = resolve(dirname(script), path)
  if (mode === 'b') {
    const bytes = readFileSync(file)
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  }
  return readFileSync(file, 'utf8')
}
Object.assign(globalThis, { __ENV: { ...env }, __VU: vuId, __ITER: 0, open })
vu.idInTest = vuId
vu.sharedArrays = { ...sharedArrays }

// biome-ignore lint/suspicious/noExplicitAny: a k6 script's exports
let module: Record<string, any>
try {
  module = await import(pathToFileURL(script).href)
  vu.initContext = false
  port.postMessage({
    ready: true,
    options: module.options ?? {},
    exports: Object.keys(module),
    sharedArrays: vu.sharedArrays,
    declaredMetrics: vu.declaredMetrics,
  })
} catch (error) {
  // The reason, and where in the script when the stack names it; not the runtime's own frames.
  const scriptUrl = pathToFileURL(script).href
  const where = ((error as Error).stack ?? '').split('\n').find((line) => line.includes(scriptUrl))
  const reason = (error as Error).message ?? String(error)
  port.postMessage({ ready: false, error: where ? `${reason} (${where.trim().replace(/^at /, '')})` : reason })
  throw error
}

const iterationsByScenario = new Map<string, number>()

port.on('message', (message: RunMessage) => {
  // __ITER counts this VU's iterations (from 0), as in k6.
  const own = iterationsByScenario.get(message.scenario) ?? 0
  if (message.kind === 'iteration') iterationsByScenario.set(message.scenario, own + 1)
  vu.scenario = message.scenario
  vu.iterationInScenario = own
  vu.iterationInTest = message.iteration
  Object.assign(globalThis, { __ITER: own })
  const done: DoneMessage = { samples: [] }
  const started = performance.now()
  try {
    const exported = module[message.exec]
    if (typeof exported !== 'function') throw new Error(`the script exports no function ${message.exec}`)
    const result = exported(message.data)
    // k6 passes setup's result to the VUs as JSON: what cannot be sent so is not sent.
    if (message.kind === 'setup') done.result = result === undefined ? undefined : JSON.parse(JSON.stringify(result))
  } catch (error) {
    if (error instanceof TestAbort) done.aborted = error.message
    else done.error = (error as Error).message || String(error)
  }
  if (message.kind === 'iteration' && !done.aborted) {
    record({ metric: 'iterations', type: 'counter', value: 1 })
    record({ metric: 'iteration_duration', type: 'trend', value: performance.now() - started })
  }
  done.samples = vu.samples.splice(0)
  port.postMessage(done)
})
