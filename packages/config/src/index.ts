export { ConfigError, loadConfig } from './load-config.ts'
export { DEV_SECRET_MARK, DEV_SERVICE_TOKEN, serviceTokenEnv, weakSecretProblem } from './secrets.ts'
export {
  chaosEnabled,
  databaseUrlFromEnv,
  HttpUrl,
  isLoopback,
  LogFormat,
  LogLevel,
  loadServiceConfig,
  PostgresUrl,
  type ServiceEnvDefaults,
  serviceEnv,
  serviceEnvProblems,
} from './service-env.ts'
export { type FleetService, localServiceUrl, SERVICE_PORTS } from './service-ports.ts'
