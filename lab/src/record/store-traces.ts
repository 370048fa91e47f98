/**
 * The run's traces from the fleet's trace store (docs/observability.md): the traces it kept (tail
 * sampling) for the run's time, as traces.jsonl, with no flag to pass. See docs/experiments.md#the-record-of-a-run.
 */
import { writeFile } from 'node:fs/promises'
import { request } from 'undici'

export interface StoreTraces {
  /** The store's API it was read from. */
  from: string
  traces: number
  spans: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function exportOf(apiUrl: string, fromMs: number, untilMs: number) {
  const answer = await request(`${apiUrl}/api/lab/traces?since=${Math.floor(fromMs)}&until=${Math.ceil(untilMs)}`, {
    headersTimeout: 5000,
    bodyTimeout: 30_000,
  })
  if (answer.statusCode !== 200) {
    await answer.body.dump()
    throw new Error(`${apiUrl} answered ${answer.statusCode}`)
  }
  return {
    text: await answer.body.text(),
    pending: Number(answer.headers['x-trace-store-pending-traces'] ?? 0),
    waitMs: Number(answer.headers['x-trace-store-decision-wait-ms'] ?? 0),
  }
}

const spansOf = (line: string) =>
  ((JSON.parse(line) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] }).resourceSpans ?? [])
    .flatMap((resource) => resource.scopeSpans ?? [])
    .reduce((sum, scope) => sum + (scope.spans?.length ?? 0), 0)

/**
 * Writes the store's kept traces of [fromMs, untilMs] to `file`, once the traces still waiting for
 * their decision have had it; undefined (and nothing written) when no store answers.
 */
export async function writeStoreTraces(
  apiUrl: string,
  fromMs: number,
  untilMs: number,
  file: string,
): Promise<StoreTraces | undefined> {
  try {
    let read = await exportOf(apiUrl, fromMs, untilMs)
    // The run's last traces are decided a decision wait after their last span.
    if (read.pending > 0 && read.waitMs > 0) {
      await sleep(Math.min(read.waitMs + 500, 30_000))
      read = await exportOf(apiUrl, fromMs, untilMs)
    }
    const lines = read.text.split('\n').filter((line) => line.trim() !== '')
    await writeFile(file, lines.map((line) => `${line}\n`).join(''))
    return { from: apiUrl, traces: lines.length, spans: lines.reduce((sum, line) => sum + spansOf(line), 0) }
  } catch {
    return undefined
  }
}
