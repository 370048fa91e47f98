export { createLogger, type FleetLoggerSettings, loggerOptions, REDACTED_PATHS } from './logger-options.ts'
