import { createRequire } from 'node:module'
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino'
import { DEFAULT_LOG_FILE_BOUNDS, type LogFileBounds, rotatingFile } from './rotating-file.ts'

// Loaded only for a terminal: 28 modules a production service never needs at start-up.
const loadPretty = (): typeof import('pino-pretty') => createRequire(import.meta.url)('pino-pretty')

export interface FleetLoggerSettings {
  service: string
  level: string
  /** `pretty` for people at a terminal; `json` for Loki and everything else. */
  format: 'json' | 'pretty'
  /** Also append JSON lines to this file (the log volume Promtail reads). */
  file?: string | undefined
  /** When `file` is rotated and how many files are kept (default: 10 MiB, 5 files). */
  fileBounds?: Partial<LogFileBounds> | undefined
}

/**
 * Paths that must never reach a log line. Fastify logs request headers only at debug level
 * and never bodies, but handlers may log objects that carry these.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
]

function loggerOptions(settings: FleetLoggerSettings): LoggerOptions {
  return {
    level: settings.level,
    base: { service: settings.service },
    messageKey: 'msg',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  }
}

/** The bounds that are set (a config's unset optional fields are `undefined`, not absent). */
const definedOf = (bounds: Partial<LogFileBounds> = {}) =>
  Object.fromEntries(Object.entries(bounds).filter(([, value]) => value !== undefined))

/** The service's logger: JSON (or pretty) on stdout, and JSON in `file` (rotated by size) when one is set. */
export function createLogger(settings: FleetLoggerSettings): Logger {
  const console: DestinationStream =
    settings.format === 'pretty'
      ? loadPretty()({ translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true })
      : // Written off the event loop (libuv's pool), lines coalescing while a write is in flight:
        // a synchronous write per line blocked each request's logging on a system call. pino
        // flushes what is pending when the process exits.
        pino.destination({ dest: 1, sync: false })
  if (!settings.file) return pino(loggerOptions(settings), console)
  const file = rotatingFile(settings.file, { ...DEFAULT_LOG_FILE_BOUNDS, ...definedOf(settings.fileBounds) })
  return pino(loggerOptions(settings), pino.multistream([{ stream: console }, { stream: file }]))
}
