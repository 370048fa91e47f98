// npm start's Prometheus and Alertmanager (docs/alerts.md): when installed, on loopback, with the
// SLO and cause rules of infra/prometheus/rules, their data under .fleet/ and bounded.
import { spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { portFrom, ROOT, SERVICES, spawn } from './lib.mjs'

export const PROMETHEUS = { name: 'prometheus', port: portFrom('PROMETHEUS_PORT', 9090) }
export const ALERTMANAGER = { name: 'alertmanager', port: portFrom('ALERTMANAGER_PORT', 9093) }
// Scrapes and evaluations every 2 s: the SLOs' shortest compressed window (10 s) holds 5 samples.
const INTERVAL = '2s'
// Their configuration, data and logs (MONITORING_DIR: elsewhere, as a test's own fleet needs).
const DIR = process.env.MONITORING_DIR || join(ROOT, '.fleet/monitoring')

/** The first of `commands` on the PATH (Debian names Alertmanager prometheus-alertmanager; Homebrew alertmanager). */
const installed = (env, ...commands) =>
  commands.find((command) => spawnSync('sh', ['-c', `command -v ${command}`], { env }).status === 0)

/** What npm start can run: the binaries found, or why not in one line. */
export function monitoringPlan(env = process.env) {
  if (env.MONITORING === 'off') return { off: 'MONITORING=off' }
  const prometheus = installed(env, 'prometheus')
  const alertmanager = installed(env, 'alertmanager', 'prometheus-alertmanager')
  if (prometheus && alertmanager) return { prometheus, alertmanager }
  return {
    off: 'Prometheus and Alertmanager are not installed (apt-get install prometheus prometheus-alertmanager, or brew install prometheus alertmanager): the fleet runs without them',
  }
}

/** The ports they listen on, for npm start's check before it starts. */
export const monitoringPorts = () => [
  { port: PROMETHEUS.port, what: 'Prometheus (PROMETHEUS_PORT)' },
  { port: ALERTMANAGER.port, what: 'Alertmanager (ALERTMANAGER_PORT)' },
]

function prometheusConfig() {
  const job = (name, target) => `  - job_name: ${name}\n    static_configs:\n      - targets: ["${target}"]\n`
  return [
    '# Written by npm start (scripts/monitoring.mjs) at every start: edit that file, not this one.',
    'global:',
    `  scrape_interval: ${INTERVAL}`,
    `  evaluation_interval: ${INTERVAL}`,
    'rule_files:',
    `  - ${join(ROOT, 'infra/prometheus/rules')}/*.yml`,
    'alerting:',
    '  alertmanagers:',
    '    - static_configs:',
    `        - targets: ["127.0.0.1:${ALERTMANAGER.port}"]`,
    'scrape_configs:',
    // The compose stack's job names (user-service, …): the same rules and dashboards serve both.
    ...SERVICES.map((service) => job(`${service.name}-service`, `127.0.0.1:${service.port}`)),
    job('prometheus', `127.0.0.1:${PROMETHEUS.port}`),
    job('alertmanager', `127.0.0.1:${ALERTMANAGER.port}`),
  ].join('\n')
}

// Where an experiment run receives Alertmanager's notifications while it runs (lab's alert_webhook).
const WEBHOOK_PORT = portFrom('ALERT_WEBHOOK_PORT', 9095)

/** The compose stack's Alertmanager configuration, its receiver also notifying the run's webhook. */
function alertmanagerConfig() {
  const compose = readFileSync(join(ROOT, 'infra/alertmanager/alertmanager.yml'), 'utf8')
  const receiver = '  - name: lab\n'
  if (!compose.includes(receiver)) throw new Error('infra/alertmanager/alertmanager.yml has no receiver `lab`')
  return [
    '# Written by npm start (scripts/monitoring.mjs) from infra/alertmanager/alertmanager.yml: edit those, not this.',
    compose.replace(
      receiver,
      `${receiver}    webhook_configs:\n      - url: http://127.0.0.1:${WEBHOOK_PORT}/alerts\n        send_resolved: true\n`,
    ),
  ].join('\n')
}

/** Prometheus' and Alertmanager's processes, each started by the function returned for it. */
export function monitoringStarters(plan) {
  mkdirSync(DIR, { recursive: true })
  writeFileSync(join(DIR, 'prometheus.yml'), `${prometheusConfig()}\n`)
  writeFileSync(join(DIR, 'alertmanager.yml'), alertmanagerConfig())
  // Their own logs go to .fleet/monitoring/<name>.log, not the terminal (they are chatty at start),
  // nor .fleet/logs, whose JSON lines the run records collect.
  const quiet = (command, args, name) => {
    const log = openSync(join(DIR, `${name}.log`), 'a')
    try {
      return spawn(command, args, { cwd: ROOT, stdio: ['ignore', log, log] })
    } finally {
      closeSync(log) // the child holds its own copy
    }
  }
  return {
    prometheus: () =>
      quiet(
        plan.prometheus,
        [
          `--config.file=${join(DIR, 'prometheus.yml')}`,
          `--web.listen-address=127.0.0.1:${PROMETHEUS.port}`,
          `--storage.tsdb.path=${join(DIR, 'prometheus-data')}`,
          // Bounded: a lab's day, at most 512 MB on disk.
          '--storage.tsdb.retention.time=1d',
          '--storage.tsdb.retention.size=512MB',
          '--enable-feature=exemplar-storage',
        ],
        'prometheus',
      ),
    alertmanager: () =>
      quiet(
        plan.alertmanager,
        [
          // The compose stack's configuration (one receiver, grouped fast) and the run's webhook.
          `--config.file=${join(DIR, 'alertmanager.yml')}`,
          `--web.listen-address=127.0.0.1:${ALERTMANAGER.port}`,
          `--storage.path=${join(DIR, 'alertmanager-data')}`,
          '--data.retention=24h',
          // No cluster: a single Alertmanager needs no gossip port.
          '--cluster.listen-address=',
        ],
        'alertmanager',
      ),
  }
}
