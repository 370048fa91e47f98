import { existsSync, renameSync, statSync } from 'node:fs'
import pino, { type DestinationStream } from 'pino'

/** How big a log file grows before it is rotated, and how many files (it and the rotated) are kept. */
export interface LogFileBounds {
  maxBytes: number
  /** Files kept in all: `<file>` and `<file>.1` … `<file>.<keep - 1>`, the oldest dropped. At least 2. */
  keep: number
}

export const DEFAULT_LOG_FILE_BOUNDS: LogFileBounds = { maxBytes: 10 * 1024 * 1024, keep: 5 }

/** `file.1` → `file.2` …, the oldest overwritten, then `file` → `file.1`: logrotate's names. */
function shift(file: string, keep: number): void {
  for (let n = keep - 1; n >= 2; n--) {
    if (existsSync(`${file}.${n - 1}`)) renameSync(`${file}.${n - 1}`, `${file}.${n}`)
  }
  renameSync(file, `${file}.1`)
}

/**
 * `file` as pino's asynchronous destination (SonicBoom: flushed synchronously when the process
 * exits, which a plain Writable such as rotating-file-stream's is not: its last lines are lost on
 * close-with-grace's process.exit), rotated by size as logrotate does, by renaming and reopening.
 * The rename happens between two writes: the write in flight ends in the rotated file, whole, and
 * SonicBoom opens `file` anew before the next one, so no line is split or lost. The rotated names
 * (`<file>.1` …) do not end in `.log`: Promtail's `*.log` does not ship them twice.
 */
export function rotatingFile(file: string, bounds: LogFileBounds): DestinationStream {
  if (!(bounds.keep >= 2)) throw new Error(`a log file's rotation keeps at least 2 files, not ${bounds.keep}`)
  const destination = pino.destination({ dest: file, mkdir: true, sync: false })
  // A restarted service appends to the file it left: its size counts.
  let size = existsSync(file) ? statSync(file).size : 0
  destination.on('write', (written: number) => {
    size += written
    if (size < bounds.maxBytes) return
    size = 0
    try {
      shift(file, bounds.keep)
    } catch (error) {
      // A file that cannot be renamed (removed by hand, a read-only volume) is written on, unbounded:
      // said once per failed rotation, never a crash of the service over its logs.
      process.emitWarning(`${file} not rotated: ${(error as Error).message}`)
      return
    }
    destination.reopen()
  })
  return destination
}
