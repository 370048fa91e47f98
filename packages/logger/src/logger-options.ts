import type { LoggerOptions } from 'pino'

export interface FleetLoggerSettings {
  service: string
  level: string
  /** `pretty` for people at a terminal; `json` for Loki and everything else. */
  format: 'json' | 'pretty'
}

/**
 * Paths that must never reach a log line. Fastify logs request headers only at debug level
 * and never bodies, but handlers may log objects that carry these.
 */
export const REDACTED_PATHS = [
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

export function loggerOptions(settings: FleetLoggerSettings): LoggerOptions {
  return {
    level: settings.level,
    base: { service: settings.service },
    messageKey: 'msg',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    ...(settings.format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true },
          },
        }
      : {}),
  }
}
