export { ConfigError, loadConfig } from './load-config.ts'
export { chaosEnabled, type ServiceEnvDefaults, serviceEnv } from './service-env.ts'
