export { createLogger, type FleetLoggerSettings } from './create-logger.ts'
