export { createLogger, type FleetLoggerSettings } from './create-logger.ts'
export { DEFAULT_LOG_FILE_BOUNDS, type LogFileBounds, rotatingFile } from './rotating-file.ts'
