import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { dashboards, INFRA, metricNames, promqlExpressions, readYaml } from './config-files.ts'

describe('monitoring stack configuration', () => {
  it('passes promtool check config', () => {
    const run = spawnSync('promtool', ['check', 'config', `${INFRA}/prometheus/prometheus.yml`], { encoding: 'utf8' })
    if (run.error) throw new Error(`promtool is missing: install Debian's prometheus package (${run.error.message})`)
    expect(run.stdout + run.stderr).toContain('SUCCESS')
    expect(run.status).toBe(0)
  })

  it('passes amtool check-config', () => {
    const run = spawnSync('amtool', ['check-config', `${INFRA}/alertmanager/alertmanager.yml`], { encoding: 'utf8' })
    if (run.error) throw new Error(`amtool is missing: install Debian's prometheus-alertmanager (${run.error.message})`)
    expect(run.stdout + run.stderr).toContain('SUCCESS')
    expect(run.status).toBe(0)
  })

  it('has every YAML file parse', () => {
    const files = [
      'docker-compose.yml',
      'prometheus/prometheus.yml',
      'alertmanager/alertmanager.yml',
      'loki/loki.yml',
      'promtail/promtail.yml',
      'tempo/tempo.yml',
    ]
    for (const file of [
      ...files,
      ...readdirSync(`${INFRA}/grafana/provisioning/datasources`).map((f) => `grafana/provisioning/datasources/${f}`),
    ]) {
      expect(readYaml(file), file).toBeTypeOf('object')
    }
  })

  it('runs the stack on the original sample’s ports, with Grafana provisioned from this folder', () => {
    const compose = readYaml('docker-compose.yml')
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'grafana',
      'loki',
      'node-exporter',
      'prometheus',
      'promtail',
      'tempo',
    ])
    expect(compose.services.grafana.ports).toContain('127.0.0.1:3000:3000')
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's variable syntax, not JavaScript's
    expect(compose.services.prometheus.ports).toContain('127.0.0.1:${PROMETHEUS_HOST_PORT:-9090}:9090')
    expect(compose.services.tempo.ports).toEqual(
      expect.arrayContaining([
        '127.0.0.1:3200:3200',
        '127.0.0.1:4317:4317',
        '127.0.0.1:4318:4318',
        '127.0.0.1:14268:14268',
        '127.0.0.1:14250:14250',
        '127.0.0.1:9411:9411',
      ]),
    )
    // Tempo takes Jaeger and Zipkin spans too, as the original's did, on the ports published above.
    const { receivers } = readYaml('tempo/tempo.yml').distributor
    expect(receivers.jaeger.protocols.thrift_http.endpoint).toBe('0.0.0.0:14268')
    expect(receivers.jaeger.protocols.grpc.endpoint).toBe('0.0.0.0:14250')
    expect(receivers.zipkin.endpoint).toBe('0.0.0.0:9411')
    // Prometheus scrapes the node exporter, and each service under the original's job name.
    const jobs = readYaml('prometheus/prometheus.yml').scrape_configs.map((job: { job_name: string }) => job.job_name)
    expect(jobs).toEqual(['user-service', 'restaurant-service', 'order-service', 'node-exporter', 'prometheus'])
    expect(compose.services.grafana.volumes).toEqual(
      expect.arrayContaining([
        './grafana/provisioning:/etc/grafana/provisioning:ro',
        './grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    )
  })

  it('links the datasources: exemplars and logs to traces, traces to logs and metrics', () => {
    const { datasources } = readYaml('grafana/provisioning/datasources/datasources.yml')
    const byUid = Object.fromEntries(datasources.map((source: { uid: string }) => [source.uid, source]))
    expect(Object.keys(byUid).sort()).toEqual(['alertmanager', 'loki', 'prometheus', 'tempo'])
    // Grafana lists what fires from Alertmanager, the one Prometheus sends to.
    expect(byUid.alertmanager).toMatchObject({ type: 'alertmanager', url: 'http://alertmanager:9093' })
    expect(readYaml('prometheus/prometheus.yml').alerting.alertmanagers[0].static_configs[0].targets).toEqual([
      'alertmanager:9093',
    ])
    expect(byUid.prometheus.jsonData.exemplarTraceIdDestinations[0].datasourceUid).toBe('tempo')
    expect(byUid.loki.jsonData.derivedFields[0].datasourceUid).toBe('tempo')
    // The regex finds the trace id in the services' JSON log lines.
    const line = '{"level":"info","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"request completed"}'
    expect(new RegExp(byUid.loki.jsonData.derivedFields[0].matcherRegex).exec(line)?.[1]).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    )
    expect(byUid.tempo.jsonData.tracesToLogsV2.datasourceUid).toBe('loki')
    expect(byUid.tempo.jsonData.tracesToMetrics.datasourceUid).toBe('prometheus')
  })

  it('provisions ours and the original sample’s dashboards, whose queries use the provisioned datasources', () => {
    const all = dashboards()
    expect(all.map((dashboard) => dashboard.uid).sort()).toEqual([
      'chaos',
      'fleet-overview',
      'microservices-monitoring',
      'node-exporter-full',
      'node-exporter-simple',
      'order-saga',
      'sample-micro-app',
      'service-status-overview',
    ])
    const uids = new Set(['prometheus', 'loki', 'tempo'])
    for (const dashboard of all) {
      expect(dashboard.panels.length).toBeGreaterThanOrEqual(3)
      for (const panel of dashboard.panels) {
        expect(uids.has(panel.datasource.uid), `${dashboard.uid}: ${panel.title}`).toBe(true)
        // A Tempo panel searches; the others have a query.
        for (const target of panel.targets.filter((each) => each.datasource.uid !== 'tempo')) {
          expect(target.expr.length).toBeGreaterThan(0)
        }
      }
    }
  })

  it('marks the firing alerts on the fleet’s dashboards: an annotation of Prometheus’ ALERTS, by alert and severity', () => {
    // Every dashboard of the fleet; the node exporter's two show the machine.
    const uids = [
      'chaos',
      'fleet-overview',
      'microservices-monitoring',
      'order-saga',
      'sample-micro-app',
      'service-status-overview',
    ]
    const fleetDashboards = dashboards().filter((each) => uids.includes(each.uid))
    expect(fleetDashboards).toHaveLength(6)
    for (const dashboard of fleetDashboards) {
      const alerts = dashboard.annotations.list.find((annotation) => annotation.expr === 'ALERTS{alertstate="firing"}')
      expect(alerts, dashboard.uid).toEqual({
        name: 'Alerts firing',
        enable: true,
        iconColor: 'orange',
        // The provisioned Prometheus (datasources.yml), as the dashboard's panels read it.
        datasource: { type: 'prometheus', uid: 'prometheus' },
        expr: 'ALERTS{alertstate="firing"}',
        step: '10s',
        titleFormat: '{{alertname}} ({{severity}})',
        tagKeys: 'severity,service,job,target,sloth_slo',
        textFormat: 'firing; runbook: docs/alerts.md, under {{alertname}}',
        useValueForTime: false,
      })
    }
  })

  it('reads metric names out of PromQL', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (service, le) (rate(http_server_request_duration_seconds_bucket{status_code=~"5.."}[1m]))) / sum(orders_total)',
      ),
    ).toEqual(['http_server_request_duration_seconds_bucket', 'orders_total'])
    expect(promqlExpressions().length).toBeGreaterThan(20)
  })
})
