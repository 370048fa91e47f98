/**
 * A run's log lines (logs.jsonl): the services' JSON log files (LOG_FILE; `npm start` writes
 * `.fleet/logs/<service>.log`), the lines whose `time` falls in the run, each kept as the service
 * wrote it (its `trace_id` where a span was sampled) with `service` named when the line did not.
 */
import { createReadStream, existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const NPM_START_LOGS = fileURLToPath(new URL('../../../.fleet/logs', import.meta.url))

/** Where the services' log files are: `--logs`, else FLEET_LOG_DIR, else npm start's, if it wrote any. */
export const logDirOf = (given: string | undefined, env: NodeJS.ProcessEnv = process.env) =>
  given ?? env.FLEET_LOG_DIR ?? (existsSync(NPM_START_LOGS) ? NPM_START_LOGS : undefined)

export interface CollectedLogs {
  lines: number
  /** The files read, and those whose lines were not JSON (skipped). */
  files: string[]
  skipped: number
}

/** Appends the run's lines of every `*.log` in `dir` to `write`, file by file, oldest line first in each. */
export async function collectLogs(
  dir: string,
  run: { fromMs: number; untilMs: number },
  write: (line: string) => void,
): Promise<CollectedLogs> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.log')).sort()
  const collected: CollectedLogs = { lines: 0, files: [], skipped: 0 }
  for (const name of names) {
    collected.files.push(name)
    const service = name.replace(/\.log$/, '')
    const lines = createInterface({ input: createReadStream(join(dir, name)), crlfDelay: Number.POSITIVE_INFINITY })
    for await (const line of lines) {
      if (line.trim() === '') continue
      let entry: Record<string, unknown>
      try {
        entry = JSON.parse(line)
      } catch {
        collected.skipped += 1
        continue
      }
      const at = typeof entry.time === 'number' ? entry.time : Date.parse(String(entry.time))
      if (!(at >= run.fromMs && at <= run.untilMs)) continue
      write(JSON.stringify(entry.service === undefined ? { service, ...entry } : entry))
      collected.lines += 1
    }
  }
  return collected
}
