/**
 * A run's log lines (logs.jsonl), from the services' JSON log files (LOG_FILE; `npm start` writes
 * `.fleet/logs/<service>.log`). See docs/observability.md#log-files.
 */
import { createReadStream, existsSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const NPM_START_LOGS = fileURLToPath(new URL('../../../.fleet/logs', import.meta.url))

/** The services' log files, and where each ended when the run began (bytes), and which file it was. */
export interface LogSource {
  dir: string
  offsets: Map<string, number>
  /** Each file's inode at the mark: the file to read from its offset, under whatever name it has now. */
  inodes?: Map<string, number>
}

const logFilesIn = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.log')).sort()

/**
 * Where the services' log files are (`--logs`, else FLEET_LOG_DIR, else npm start's, if it wrote
 * any), marked where each ends now; called as the run begins. Each file is then read from its mark:
 * the files of a fleet that has run for days are not read from their start for every run.
 */
export async function markLogs(given: string | undefined, env: NodeJS.ProcessEnv = process.env) {
  const dir = given ?? env.FLEET_LOG_DIR ?? (existsSync(NPM_START_LOGS) ? NPM_START_LOGS : undefined)
  if (!dir) return undefined
  const offsets = new Map<string, number>()
  const inodes = new Map<string, number>()
  for (const name of await logFilesIn(dir)) {
    const file = await stat(join(dir, name)).catch(() => undefined)
    offsets.set(name, file?.size ?? 0)
    if (file) inodes.set(name, file.ino)
  }
  return { dir, offsets, inodes } satisfies LogSource
}

export interface CollectedLogs {
  lines: number
  /** The files read, and those whose lines were not JSON (skipped). */
  files: string[]
  skipped: number
}

/**
 * Appends the run's lines of every `*.log` of the source to `write`, file by file, oldest line first
 * in each: the lines whose `time` falls in the run, each kept as the service wrote it (its `trace_id`
 * where a span was sampled) with `service` named when the line did not.
 */
export async function collectLogs(
  source: LogSource,
  run: { fromMs: number; untilMs: number },
  write: (line: string) => void,
): Promise<CollectedLogs> {
  const names = await logFilesIn(source.dir)
  const collected: CollectedLogs = { lines: 0, files: [], skipped: 0 }
  for (const name of names) {
    collected.files.push(name)
    const service = name.replace(/\.log$/, '')
    for (const part of await sinceMark(source, name)) {
      await readLines(part, (entry) => {
        if (entry === undefined) {
          collected.skipped += 1
          return
        }
        const at = typeof entry.time === 'number' ? entry.time : Date.parse(String(entry.time))
        if (!(at >= run.fromMs && at <= run.untilMs)) return
        write(JSON.stringify(entry.service === undefined ? { service, ...entry } : entry))
        collected.lines += 1
      })
    }
  }
  return collected
}

/** A file to read from a byte on. */
interface FilePart {
  path: string
  start: number
}

/** Each JSON line of a part, in order (`undefined` for a line that is not JSON). */
async function readLines(part: FilePart, each: (entry: Record<string, unknown> | undefined) => void) {
  const lines = createInterface({
    input: createReadStream(part.path, { start: part.start }),
    crlfDelay: Number.POSITIVE_INFINITY,
  })
  for await (const line of lines) {
    if (line.trim() === '') continue
    let entry: Record<string, unknown>
    try {
      entry = JSON.parse(line)
    } catch {
      each(undefined)
      continue
    }
    each(entry)
  }
}

/**
 * The files that hold a log file's lines since its mark, oldest first: the file itself from its
 * mark when it was not rotated since (whole when it is shorter: started anew); else the marked file
 * under its rotated name from its mark, each newer rotated file, and the file itself, whole. A file
 * rotated during the run (renamed `<file>.1`, `<file>.2`…, see @food/logger) is found again by its inode.
 */
async function sinceMark(source: LogSource, name: string): Promise<FilePart[]> {
  const path = join(source.dir, name)
  const current = await stat(path).catch(() => undefined)
  if (!current) return []
  const mark = source.offsets.get(name) ?? 0
  const inode = source.inodes?.get(name)
  // A file that was not there at the mark may have been rotated since it began, too.
  const rotated = inode === undefined ? !source.offsets.has(name) : inode !== current.ino
  if (!rotated) return [{ path, start: current.size >= mark ? mark : 0 }]
  return [...(await rotatedSince(path, inode, mark)), { path, start: 0 }]
}

/** The rotated files (`<file>.1`, …) since the one whose inode was marked, oldest first; every kept one if it is gone. */
async function rotatedSince(path: string, inode: number | undefined, mark: number): Promise<FilePart[]> {
  const kept: { path: string; ino: number }[] = []
  for (let n = 1; ; n++) {
    const file = await stat(`${path}.${n}`).catch(() => undefined)
    if (!file) break
    kept.push({ path: `${path}.${n}`, ino: file.ino })
  }
  // Rotated out of the kept files (more than LOG_FILE_KEEP rotations in the run): every kept one.
  const marked = kept.findIndex((file) => file.ino === inode)
  const since = marked === -1 ? kept : kept.slice(0, marked + 1)
  return since.reverse().map((file) => ({ path: file.path, start: file.ino === inode ? mark : 0 }))
}
