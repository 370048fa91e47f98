/**
 * `GET /api/logs?trace_id=<32 hex>`: the log lines of one trace from the three services' JSON log
 * files (FLEET_LOG_DIR/<service>.log, pino lines with `trace_id`), joined by that id. Bounded: it
 * reads the newest MAX_BYTES of each service's logs (the end of `<service>.log`, then of the
 * rotated `<service>.log.1` if that file is shorter) and answers at most MAX_LINES lines; it says
 * how far back it read, so an older trace's missing lines are explained.
 */
import { open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { FLEET_SERVICES } from '@food/config/service-ports'
import { errorBody } from '@food/errors'
import type { FastifyInstance } from 'fastify'

/** How much of each service's logs is read, newest first (about 15,000 request lines). */
export const MAX_BYTES = 4 * 1024 * 1024
/** Lines answered at most (a trace has a few dozen). */
export const MAX_LINES = 1000

export interface LogLine {
  service: string
  time: string
  level: string
  msg: string
  span_id: string | null
  /** The line as the service wrote it (parsed). */
  fields: Record<string, unknown>
}

export interface ServiceLogs {
  service: string
  /** The files read, newest first, and how many bytes of them. */
  files: { file: string; bytes: number }[]
  /** The time of the oldest line read: lines before it were not looked at. */
  searched_from: string | null
  /** Whether a file of the service was found at all. */
  found: boolean
}

export type LogsAnswer =
  | { reachable: true; trace_id: string; lines: LogLine[]; truncated: boolean; services: ServiceLogs[] }
  | { reachable: false; error: string; trace_id: string; lines: [] }

const TRACE_ID = /^[0-9a-f]{32}$/
// pino's levels by number, as the services write them when not pretty.
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }

/** The last `budget` bytes of a file (from its start when it is shorter); undefined when it is not there. */
async function tail(
  path: string,
  budget: number,
): Promise<{ text: string; bytes: number; whole: boolean } | undefined> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch {
    return undefined
  }
  const bytes = Math.min(size, budget)
  const file = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    await file.read(buffer, 0, bytes, size - bytes)
    let text = buffer.toString('utf8')
    // A line cut by the start of the window is not read.
    if (bytes < size) text = text.slice(text.indexOf('\n') + 1)
    return { text, bytes, whole: bytes === size }
  } finally {
    await file.close()
  }
}

const levelOf = (level: unknown) => (typeof level === 'number' ? (LEVELS[level] ?? String(level)) : String(level ?? ''))

/** One service's lines of the trace, from the newest MAX_BYTES of its files. */
async function serviceLines(dir: string, service: string, traceId: string) {
  const needle = `"trace_id":"${traceId}"`
  const files: ServiceLogs['files'] = []
  const lines: LogLine[] = []
  let oldest: string | null = null
  let budget = MAX_BYTES
  for (const name of [`${service}.log`, `${service}.log.1`]) {
    if (budget <= 0) break
    const read = await tail(join(dir, name), budget)
    if (!read) continue
    files.push({ file: name, bytes: read.bytes })
    budget -= read.bytes
    const texts = read.text.split('\n')
    const first = texts.find((text) => text.startsWith('{'))
    if (first) {
      try {
        oldest = String((JSON.parse(first) as { time?: unknown }).time ?? oldest)
      } catch {}
    }
    for (const text of texts) {
      if (!text.includes(needle)) continue
      try {
        const fields = JSON.parse(text) as Record<string, unknown>
        lines.push({
          service: String(fields.service ?? service),
          time: String(fields.time ?? ''),
          level: levelOf(fields.level),
          msg: String(fields.msg ?? ''),
          span_id: typeof fields.span_id === 'string' ? fields.span_id : null,
          fields,
        })
      } catch {}
    }
    // The rotated file is read only when the current one was read whole.
    if (!read.whole) break
  }
  return { logs: { service, files, searched_from: oldest, found: files.length > 0 }, lines }
}

export function logRoutes(app: FastifyInstance, logDir: string | undefined) {
  app.get('/api/logs', async (request, reply): Promise<LogsAnswer> => {
    reply.header('cache-control', 'no-store')
    const query = (request.query ?? {}) as Record<string, unknown>
    for (const name of Object.keys(query)) {
      if (name !== 'trace_id') {
        const message = `${name} is not a parameter of /api/logs: trace_id is its one parameter`
        return reply.code(400).send(errorBody('UNKNOWN_PARAMETER', message, { parameter: name }))
      }
    }
    const traceId = query.trace_id
    if (typeof traceId !== 'string' || !TRACE_ID.test(traceId)) {
      const message =
        traceId === undefined
          ? 'trace_id: required, the trace’s id (32 hex digits, as X-Trace-Id)'
          : `trace_id: \`${String(traceId).slice(0, 64)}\` is not a trace id (32 lower-case hex digits, as X-Trace-Id)`
      return reply.code(400).send(errorBody('INVALID_PARAMETER', message, { parameter: 'trace_id' }))
    }
    if (!logDir) {
      return {
        reachable: false,
        trace_id: traceId,
        lines: [],
        error: 'FLEET_LOG_DIR is not set: npm start sets it (.fleet/logs), where the services write their log files',
      }
    }
    const read = await Promise.all(FLEET_SERVICES.map((service) => serviceLines(logDir, service, traceId)))
    const lines = read
      .flatMap((each) => each.lines)
      .sort((a, b) => a.time.localeCompare(b.time) || a.service.localeCompare(b.service))
    return {
      reachable: true,
      trace_id: traceId,
      lines: lines.slice(0, MAX_LINES),
      truncated: lines.length > MAX_LINES,
      services: read.map((each) => each.logs),
    }
  })
}
