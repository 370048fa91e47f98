/**
 * npm start (scripts/start.mjs) as a test runs it: on ports of its own, without the fault proxy
 * (whose edges' ports are fixed), with databases, Redis keys, log files and Prometheus' and
 * Alertmanager's data of its own, never those of a fleet the user runs.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePorts } from '@food/testing'
import { inject } from 'vitest'

export async function privatePorts(): Promise<Record<string, number>> {
  const names = [
    'USER_PORT',
    'RESTAURANT_PORT',
    'ORDER_PORT',
    'WEB_PORT',
    'PROCESS_API_PORT',
    'PROMETHEUS_PORT',
    'ALERTMANAGER_PORT',
    // Where its Alertmanager notifies a run: never npm start's 9095, where a user's run may listen.
    'ALERT_WEBHOOK_PORT',
    // Its trace store: never where a user's npm start keeps theirs (4318, 3200).
    'TRACE_STORE_OTLP_PORT',
    'TRACE_STORE_API_PORT',
  ]
  const ports = await freePorts(names.length)
  return Object.fromEntries(names.map((name, i) => [name, ports[i] as number]))
}

export const ownStartEnv = (ports: Record<string, number>): NodeJS.ProcessEnv => ({
  ...process.env,
  ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
  FAULT_PROXY: 'off',
  FLEET_DATABASE_SUFFIX: `_start_test_${process.pid}`,
  REDIS_URL: `${inject('redisUrl').replace(/\/\d*$/, '')}/10`,
  FLEET_LOG_DIR: join(tmpdir(), `fleet-start-test-${process.pid}`),
  MONITORING_DIR: join(tmpdir(), `fleet-start-test-${process.pid}`, 'monitoring'),
  // Not the checkout's services/web/dist, which a user's fleet may be serving; no pnpm install
  // beside the other tests (the checkout is installed).
  WEB_STATIC_DIR: join(tmpdir(), `fleet-start-test-${process.pid}`, 'web'),
  FLEET_SKIP_INSTALL: '1',
})
