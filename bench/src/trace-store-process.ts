/**
 * npm start's trace store (packages/trace-store) as the tracing section's receiver: its own process,
 * as npm start runs it (`node --import tsx src/server.ts`), on free ports, so what it costs to take
 * the spans in is counted apart from the services (docs/performance.md#what-tracing-costs).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { answersSoon, freePorts } from '@food/testing'
import { repoPath } from './harness.ts'

export interface StoreProcess {
  /** What OTEL_EXPORTER_OTLP_ENDPOINT takes. */
  otlpUrl: string
  pid: number
  /** Spans it took in so far, and the bytes it holds (its /metrics). */
  counts(): Promise<{ spans: number; bytes: number }>
  stop(): Promise<void>
}

/** A trace store, ready; `env`: its TRACE_STORE_* settings (README.md of packages/trace-store). */
export async function startStoreProcess(env: Record<string, string> = {}): Promise<StoreProcess> {
  const [otlpPort, apiPort] = (await freePorts(2)) as [number, number]
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: repoPath('packages/trace-store'),
    env: { ...process.env, TRACE_STORE_OTLP_PORT: String(otlpPort), TRACE_STORE_API_PORT: String(apiPort), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const apiUrl = `http://127.0.0.1:${apiPort}`
  if (!(await answersSoon(`${apiUrl}/ready`, child))) {
    child.kill('SIGKILL')
    throw new Error('the trace store did not start (packages/trace-store/src/server.ts)')
  }
  const metric = (text: string, name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
  return {
    otlpUrl: `http://127.0.0.1:${otlpPort}`,
    pid: child.pid ?? 0,
    async counts() {
      const text = await (await fetch(`${apiUrl}/metrics`)).text()
      return { spans: metric(text, 'trace_store_spans_received_total'), bytes: metric(text, 'trace_store_bytes') }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await once(child, 'exit')
    },
  }
}
