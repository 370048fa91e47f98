/**
 * A run's log lines (logs.jsonl): the services' JSON log files (LOG_FILE; `npm start` writes
 * `.fleet/logs/<service>.log`), the lines whose `time` falls in the run, each kept as the service
 * wrote it (its `trace_id` where a span was sampled) with `service` named when the line did not.
 * Each file is read from where it ended when the run began: the files of a fleet that has run
 * for days are not read from their start for every run.
 */
import { createReadStream, existsSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const NPM_START_LOGS = fileURLToPath(new URL('../../../.fleet/logs', import.meta.url))

/** The services' log files, and where each ended when the run began (bytes). */
export interface LogSource {
  dir: string
  offsets: Map<string, number>
}

const logFilesIn = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.log')).sort()

/**
 * Where the services' log files are (`--logs`, else FLEET_LOG_DIR, else npm start's, if it wrote
 * any), marked where each ends now; called as the run begins.
 */
export async function markLogs(given: string | undefined, env: NodeJS.ProcessEnv = process.env) {
  const dir = given ?? env.FLEET_LOG_DIR ?? (existsSync(NPM_START_LOGS) ? NPM_START_LOGS : undefined)
  if (!dir) return undefined
  const offsets = new Map<string, number>()
  for (const name of await logFilesIn(dir)) {
    offsets.set(name, (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size)
  }
  return { dir, offsets } satisfies LogSource
}

export interface CollectedLogs {
  lines: number
  /** The files read, and those whose lines were not JSON (skipped). */
  files: string[]
  skipped: number
}

/** Appends the run's lines of every `*.log` of the source to `write`, file by file, oldest line first in each. */
export async function collectLogs(
  source: LogSource,
  run: { fromMs: number; untilMs: number },
  write: (line: string) => void,
): Promise<CollectedLogs> {
  const { dir, offsets } = source
  const names = await logFilesIn(dir)
  const collected: CollectedLogs = { lines: 0, files: [], skipped: 0 }
  for (const name of names) {
    collected.files.push(name)
    const service = name.replace(/\.log$/, '')
    const lines = createInterface({
      // A file shorter than its mark was started anew: read it whole.
      input: createReadStream(join(dir, name), { start: await startOf(join(dir, name), offsets.get(name) ?? 0) }),
      crlfDelay: Number.POSITIVE_INFINITY,
    })
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

const startOf = async (file: string, mark: number) => ((await stat(file)).size >= mark ? mark : 0)
