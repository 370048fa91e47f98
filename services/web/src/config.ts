import { AllowedHosts, HttpUrl, LogFormat, LogLevel, loadConfig, localServiceUrl } from '@food/config'
import { type Static, Type } from '@sinclair/typebox'

export const WebConfig = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8090 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  USER_SERVICE_URL: HttpUrl({ default: localServiceUrl('user') }),
  RESTAURANT_SERVICE_URL: HttpUrl({ default: localServiceUrl('restaurant') }),
  ORDER_SERVICE_URL: HttpUrl({ default: localServiceUrl('order') }),
  /** npm start's supervisor (its Docker-Engine-like API), for the console's process faults. */
  ENGINE_URL: Type.Optional(HttpUrl()),
  /** The Prometheus whose alerts the console shows (GET /api/alerts); its graph links open it too. */
  PROMETHEUS_URL: HttpUrl({ default: 'http://127.0.0.1:9090' }),
  /** npm start's trace store (Tempo's HTTP API): the Traces page, the service map's spans. Unset: no traces. */
  TRACE_STORE_URL: Type.Optional(HttpUrl()),
  /** Where the services write their JSON log files (`<service>.log`): a trace's log lines. */
  FLEET_LOG_DIR: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * How often the web server reads the services' /metrics and GET /chaos once it listens, kept 15
   * min in memory: the charts' and the map's figures when Prometheus does not answer, and the
   * windows of the faults; 0: never.
   */
  SCRAPE_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 5000 }),
  /** Host names besides loopback and IP addresses the page is served as (see AllowedHosts). */
  ALLOWED_HOSTS: AllowedHosts(),
  LOG_LEVEL: LogLevel,
  LOG_FORMAT: LogFormat,
})
export type WebConfig = Static<typeof WebConfig>

/** npm start hands its environment on: its PROMETHEUS_PORT says where its Prometheus is, unless PROMETHEUS_URL does. */
const npmStartPrometheus = (env: NodeJS.ProcessEnv) =>
  env.PROMETHEUS_URL || (env.PROMETHEUS_PORT ? `http://127.0.0.1:${env.PROMETHEUS_PORT}` : undefined)

export const loadWebConfig = (env: NodeJS.ProcessEnv = process.env): WebConfig =>
  loadConfig(WebConfig, { ...env, PROMETHEUS_URL: npmStartPrometheus(env) })
