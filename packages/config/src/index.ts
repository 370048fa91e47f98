export { ConfigError, loadConfig } from './load-config.ts'
export { DEV_SERVICE_TOKEN, serviceTokenEnv, weakSecretProblem } from './secrets.ts'
export {
  AllowedHosts,
  chaosEnabled,
  databaseUrlFromEnv,
  HttpUrl,
  isLoopback,
  LogFormat,
  LogLevel,
  loadServiceConfig,
  type ServiceEnvDefaults,
  serviceEnv,
} from './service-env.ts'
export { FLEET_SERVICES, type FleetService, localServiceUrl, SERVICE_PORTS } from './service-ports.ts'
