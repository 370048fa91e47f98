/**
 * Prometheus (the fleet's rules, scraping a test's own services) and Alertmanager, on ports of the
 * test's own (docs/alerts.md): what npm start runs, for a fleet the test started.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePorts, startChild } from '@food/testing'

const RULES = fileURLToPath(new URL('../../infra/prometheus/rules/', import.meta.url))

interface Services {
  user: { baseUrl: string }
  restaurant: { baseUrl: string }
  order: { baseUrl: string }
}

export interface Monitoring {
  prometheus: string
  alertmanager: string
  close(): Promise<void>
}

/** `intervalS`: scrapes and evaluations (npm start's 2 s by default); `webhook`: Alertmanager's receiver. */
export async function startMonitoring(
  fleet: Services,
  options: { intervalS?: number; webhook?: string } = {},
): Promise<Monitoring> {
  const interval = `${options.intervalS ?? 2}s`
  const [prometheusPort, alertmanagerPort] = await freePorts(2)
  const dir = await mkdtemp(join(tmpdir(), 'lab-monitoring-'))
  const host = (url: string) => new URL(url).host
  const job = (name: string, target: string) =>
    `  - job_name: ${name}\n    static_configs: [{ targets: ["${target}"] }]\n`
  await writeFile(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: ${interval}, evaluation_interval: ${interval} }\nrule_files: ["${RULES}*.yml"]\n` +
      `alerting: { alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${alertmanagerPort}"] }] }] }\n` +
      `scrape_configs:\n${job('user-service', host(fleet.user.baseUrl))}${job('restaurant-service', host(fleet.restaurant.baseUrl))}${job('order-service', host(fleet.order.baseUrl))}`,
  )
  const receiver = options.webhook
    ? `{ name: lab, webhook_configs: [{ url: "${options.webhook}", send_resolved: true }] }`
    : '{ name: lab }'
  await writeFile(
    join(dir, 'alertmanager.yml'),
    `route: { receiver: lab, group_by: [alertname, service, sloth_slo], group_wait: 1s, group_interval: 5s }\nreceivers: [${receiver}]\n`,
  )
  const alertmanager = `http://127.0.0.1:${alertmanagerPort}`
  const prometheus = `http://127.0.0.1:${prometheusPort}`
  const children = [
    await startChild(
      'prometheus-alertmanager',
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am')}`,
        `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
        '--cluster.listen-address=',
      ],
      { readyUrl: `${alertmanager}/-/ready` },
    ),
    await startChild(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
      ],
      { readyUrl: `${prometheus}/-/ready` },
    ),
  ]
  return {
    prometheus,
    alertmanager,
    close: async () => {
      await Promise.all(children.map((child) => child.stop()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}
