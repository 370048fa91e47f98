import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  dashboards,
  grafanaProvisioned,
  grafanaProvisionedDocument,
  INFRA,
  metricNames,
  type Panel,
  promqlExpressions,
  readYaml,
  type Target,
} from './config-files.ts'

const ROOT = resolve(INFRA, '..')
const SERVICE_JOBS = ['user-service', 'restaurant-service', 'order-service']

/** Both compose files, each service with the folder its relative paths are taken from. */
function composeServices(): { file: string; name: string; base: string; service: ComposeService }[] {
  return [
    { file: 'docker-compose.yml', base: ROOT },
    { file: 'infra/docker-compose.yml', base: INFRA },
  ].flatMap(({ file, base }) =>
    Object.entries<ComposeService>(readYaml(relative(INFRA, join(ROOT, file))).services).map(([name, service]) => ({
      file,
      name,
      base,
      service,
    })),
  )
}

interface ComposeService {
  image?: string
  profiles?: string[]
  command?: string | string[]
  network_mode?: string
  pid?: string
  ports?: string[]
  volumes?: string[]
  extra_hosts?: string[]
  depends_on?: string[] | Record<string, unknown>
  environment?: Record<string, string>
}

/** A bind mount's host path (short syntax, as Compose reads it), or undefined for a named volume. */
function bindSource(volume: string, base: string): string | undefined {
  const [source] = volume.split(':')
  if (!source || !(source.startsWith('.') || source.startsWith('/'))) return undefined
  return resolve(base, source)
}

/**
 * Whether the checkout's .gitignore leaves a path (relative to the checkout) out of git, so that a
 * fresh clone lacks it, as git reads its patterns: one without an inner slash matches a name at any
 * depth, one with an inner slash a path from the checkout's root, a trailing slash only directories,
 * `*` anything but a slash.
 */
function ignoredByGit(path: string): boolean {
  const patterns = readFileSync(join(ROOT, '.gitignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
  if (patterns.some((pattern) => pattern.startsWith('!'))) throw new Error('.gitignore negates: teach ignoredByGit')
  const segments = path.split('/').filter(Boolean)
  return patterns.some((pattern) => {
    const core = pattern.replace(/^\/|\/$/g, '')
    const escaped = core.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')
    const glob = new RegExp(`^${escaped}$`)
    return segments.some((segment, index) => {
      const leading = segments.slice(0, index + 1)
      // A path a fresh clone lacks (what the check is for) is taken as a directory, as a mount's would be.
      const here = join(ROOT, ...leading)
      const isDirectory = index < segments.length - 1 || !existsSync(here) || statSync(here).isDirectory()
      if (pattern.endsWith('/') && !isDirectory) return false
      return core.includes('/') ? glob.test(leading.join('/')) : glob.test(segment)
    })
  })
}

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

  it('labels the two targets of each service by origin: its container and the host (npm start)', () => {
    // Docker Desktop's host.docker.internal also reaches the ports the containers publish on
    // 127.0.0.1, so both targets may scrape one process: the label tells the copies apart, and
    // every query of the dashboards counts a series once over it (dashboards-live.test.ts).
    const { scrape_configs: jobs } = readYaml('prometheus/prometheus.yml')
    const services = readYaml('../docker-compose.yml').services
    for (const jobName of SERVICE_JOBS) {
      const job = jobs.find((each: { job_name: string }) => each.job_name === jobName)
      const service = jobName.replace(/-service$/, '')
      const port = services[service].environment.PORT
      expect(job.static_configs, jobName).toEqual([
        { targets: [`${service}:${port}`], labels: { origin: 'container' } },
        { targets: [`host.docker.internal:${port}`], labels: { origin: 'host' } },
      ])
    }
    // The host is reached as Docker names it from a container, on Linux too.
    expect(readYaml('docker-compose.yml').services.prometheus.extra_hosts).toContain(
      'host.docker.internal:host-gateway',
    )
  })

  it('runs the machine’s node exporter as node_exporter’s README does, on Linux only: a profile', () => {
    const compose = readYaml('docker-compose.yml')
    const exporter: ComposeService = compose.services['node-exporter']
    // node_exporter v1.8.2 README, "Docker": --net=host, --pid=host, -v /:/host:ro,rslave,
    // --path.rootfs=/host. Without the host's network its netdev collector, which reads the
    // interfaces through netlink by default (collector/netdev_linux.go), sees only the container's.
    expect(exporter).toMatchObject({ network_mode: 'host', pid: 'host', volumes: ['/:/host:ro,rslave'] })
    expect(exporter.command).toContain('--path.rootfs=/host')
    // Compose: no port mapping with network_mode: host (compose-spec 05-services.md, ports).
    expect(exporter.ports).toBeUndefined()
    // Docker Desktop refuses the rslave mount of / and its host is a VM: the exporter starts only
    // with `--profile host-metrics` (compose-spec 15-profiles.md: a service with profiles is ignored
    // unless one is active), and no service of a plain `docker compose up` depends on it (Compose
    // refuses a dependency on a service its profiles leave out).
    expect(exporter.profiles).toEqual(['host-metrics'])
    for (const { name, service } of composeServices()) {
      const needs = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {})
      if (!service.profiles) expect(needs, name).not.toContain('node-exporter')
    }
    // Prometheus reaches it where the host's ports are, on the port it listens on.
    const listen = (exporter.command as string[]).find((arg) => arg.startsWith('--web.listen-address='))
    const defaultAddress = /^--web\.listen-address=\$\{NODE_EXPORTER_ADDRESS:-(.*)\}$/.exec(listen ?? '')?.[1]
    expect(defaultAddress).toBe(':9100')
    const job = readYaml('prometheus/prometheus.yml').scrape_configs.find(
      (each: { job_name: string }) => each.job_name === 'node-exporter',
    )
    expect(job.static_configs).toEqual([{ targets: ['host.docker.internal:9100'] }])
  })

  it('bind-mounts only what a fresh clone has, so that Docker never creates a path in the checkout as root', () => {
    // Compose's short syntax has the Docker daemon create a missing bind source, as a directory
    // owned by root (compose-spec 05-services.md, volumes: "short syntax creates a directory at
    // the source path on the host if it doesn't exist"): a later `npm start` could not write there.
    const mounts = composeServices().flatMap(({ file, name, base, service }) =>
      (service.volumes ?? []).flatMap((volume) => {
        const source = bindSource(volume, base)
        return source ? [{ where: `${file} ${name}: ${volume}`, source }] : []
      }),
    )
    expect(mounts.length).toBeGreaterThan(5)
    for (const { where, source } of mounts) {
      // The machine's root, for the node exporter (Linux only, see above).
      if (source === '/') continue
      const inCheckout = relative(ROOT, source)
      expect(inCheckout.startsWith('..'), where).toBe(false)
      expect(existsSync(source), where).toBe(true)
      expect(ignoredByGit(inCheckout), `${where}: git ignores ${inCheckout || '.'}`).toBe(false)
    }
    // What the check above would have caught: .fleet/ is made at run time (npm start, and git ignores it).
    expect(ignoredByGit('.fleet/logs')).toBe(true)
    expect(ignoredByGit('infra/grafana/dashboards')).toBe(false)
  })

  it('has Promtail read the services’ log files where they write them, npm start’s through the checkout', () => {
    const promtail: ComposeService = readYaml('docker-compose.yml').services.promtail
    const paths: string[] = readYaml('promtail/promtail.yml').scrape_configs.flatMap(
      (job: { static_configs: { labels: { __path__: string } }[] }) =>
        job.static_configs.map((group) => group.labels.__path__),
    )
    // Where each glob is on the host, through the mount it lies under.
    const onHost = paths.map((path) => {
      const mount = (promtail.volumes ?? [])
        .map((volume) => volume.split(':'))
        .find(([, target]) => target && path.startsWith(`${target}/`))
      if (!mount) throw new Error(`promtail reads ${path}, which none of its mounts holds`)
      const [source = '', target = ''] = mount
      const bound = bindSource(source, INFRA)
      return bound ? join(bound, path.slice(target.length)) : `${source}:${path.slice(target.length)}`
    })
    // The containers' volume (LOG_FILE=/var/log/fleet/<service>.log: deployment.test.ts), and
    // npm start's .fleet/logs (scripts/start.mjs: LOG_DIR, `${ROOT}/.fleet/logs` unless FLEET_LOG_DIR).
    expect(onHost).toEqual(['fleet-logs:/*.log', join(ROOT, '.fleet/logs/*.log')])
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not JavaScript's
    expect(readFileSync(join(ROOT, 'scripts/start.mjs'), 'utf8')).toContain('`${ROOT}/.fleet/logs`')
    // Read-only: Promtail keeps its positions in its own /tmp.
    expect(
      promtail.volumes?.filter((volume) => bindSource(volume, INFRA)).every((volume) => volume.endsWith(':ro')),
    ).toBe(true)
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

  it('hands Grafana its link templates intact: `$$` for every `$` it must not take for an environment variable', () => {
    // Grafana expands environment variables in every string of a provisioning file
    // (pkg/services/provisioning/values/values.go, interpolateValue): what the trace view and the
    // log view then see.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not JavaScript's
    expect(grafanaProvisioned('{job="x"} $__tags $${__tags} $$__tags $HOME')).toBe('{job="x"}  ${__tags} $__tags ')
    const { datasources } = grafanaProvisionedDocument(readYaml('grafana/provisioning/datasources/datasources.yml'))
    const byUid = Object.fromEntries(datasources.map((source: { uid: string }) => [source.uid, source]))
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not JavaScript's
    expect(byUid.loki.jsonData.derivedFields[0].url).toBe('${__value.raw}')
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not JavaScript's
    expect(byUid.tempo.jsonData.tracesToLogsV2.query).toBe('{service=~".+"} |= "${__trace.traceId}"')
  })

  it('offers metrics links from a span: Grafana builds one per entry of tracesToMetrics.queries, on the span’s service', () => {
    // Grafana 11.2 (public/app/features/explore/TraceView/createSpanLink.tsx, legacyCreateSpanLinkFactory):
    // `if (metricsDataSourceSettings && traceToMetricsOptions?.queries) for (const query of queries) ...`,
    // each link titled `query.name`, its PromQL `query.query` with $__tags the span's tags that
    // `tags` maps (getFormattedTags: `<value or key>="<tag value>"`, joined by ", "). No queries, no link.
    const { datasources } = grafanaProvisionedDocument(readYaml('grafana/provisioning/datasources/datasources.yml'))
    const tracesToMetrics = datasources.find((source: { uid: string }) => source.uid === 'tempo').jsonData
      .tracesToMetrics
    expect(tracesToMetrics.datasourceUid).toBe('prometheus')
    expect(tracesToMetrics.queries.length).toBeGreaterThanOrEqual(2)
    for (const query of tracesToMetrics.queries) {
      expect(query.name, JSON.stringify(query)).toMatch(/\S/)
      // A selector of the span's service: `{job="order-service"}` once Grafana puts the tags in.
      expect(query.query).toContain('{$__tags}')
      // The series of a service scraped twice (prometheus.yml) counted once, as in the dashboards.
      expect(query.query).toContain('max without (instance, origin) (')
    }
    // The span's service.name (a resource attribute: Grafana's Tempo backend keeps every resource
    // attribute in the span's process tags, pkg/tsdb/tempo/trace_transform.go, resourceToProcess) is
    // the service's Prometheus job: OTEL_SERVICE_NAME in the root compose file = job_name in prometheus.yml.
    expect(tracesToMetrics.tags).toEqual([{ key: 'service.name', value: 'job' }])
    const jobs = readYaml('prometheus/prometheus.yml').scrape_configs.map((job: { job_name: string }) => job.job_name)
    const services = readYaml('../docker-compose.yml').services
    for (const name of ['user', 'restaurant', 'order']) {
      expect(jobs).toContain(services[name].environment.OTEL_SERVICE_NAME)
    }
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

  it('gives each panel the kind of query its visualization draws', () => {
    // Grafana 11.2's Tempo datasource (public/app/plugins/datasource/tempo/datasource.ts, query()):
    // a `traceql` query of hex digits only fetches that one trace (isTraceIdQuery); any other TraceQL,
    // and a `traceqlSearch` (its `filters` made into TraceQL), is a search whose answer is a table of
    // traces (formatTraceQLResponse, by `tableType`). The traces panel draws the first frame as one
    // trace (public/app/plugins/panel/traces/TracesPanel.tsx: transformDataFrames(data.series[0])):
    // fed a search it shows nothing; a table panel lists the traces, each ID a link to its trace.
    const isTraceId = (target: Target) =>
      (target.queryType ?? 'traceql') === 'traceql' && /^\s*([0-9A-Fa-f]+|\$\{?\w+\}?)\s*$/.test(target.query ?? '')
    const isSearch = (target: Target) =>
      target.queryType === 'traceqlSearch' || ((target.queryType ?? 'traceql') === 'traceql' && !isTraceId(target))
    // A bar chart of a Prometheus query (public/app/plugins/panel/barchart, prepSeries): a range query
    // gives one frame per series, joined on time, whose x axis is then time (one bar group per step);
    // an instant query in table format gives one frame, a row per series, its labels as string
    // columns (@grafana/prometheus 11.2.0, transformDFToTable), and the x axis is `xField` (else the
    // first string field).
    const byLabels = (expr: string) =>
      /^\s*\w+\s+by\s*\(([^)]*)\)/
        .exec(expr)?.[1]
        ?.split(',')
        .map((label) => label.trim())
    const searches: string[] = []
    for (const dashboard of dashboards()) {
      for (const panel of dashboard.panels as Panel[]) {
        const where = `${dashboard.uid} / ${panel.title}`
        for (const target of panel.targets) {
          if (target.datasource.uid === 'tempo') {
            if (panel.type === 'traces')
              expect(isTraceId(target), `${where}: a traces panel draws one trace by ID`).toBe(true)
            if (isSearch(target)) {
              searches.push(where)
              expect(panel.type, `${where}: a search lists traces`).toBe('table')
              expect(target, where).toMatchObject({ tableType: 'traces', filters: [] })
              expect(target.limit, where).toBeGreaterThan(0)
              // TraceQL: a spanset selector; here every span of the fleet, whose services the
              // telemetry package puts under one service.namespace.
              if (target.queryType === 'traceql') expect(target.query, where).toMatch(/^\{.*\}$/)
            }
          }
          if (target.datasource.uid === 'prometheus' && ['barchart', 'table'].includes(panel.type)) {
            expect(target, `${where}: one row per series`).toMatchObject({ instant: true, format: 'table' })
            expect(target.range, where).not.toBe(true)
          }
        }
        if (panel.type === 'barchart') {
          const labels = panel.targets.flatMap((target) => byLabels(target.expr) ?? [])
          expect(labels, `${where}: the bars' x axis is a label of the query`).toContain(panel.options.xField)
        }
      }
    }
    expect(searches).toEqual(['sample-micro-app / Traces'])
    const telemetry = readFileSync(join(ROOT, 'packages/telemetry/src/sdk.ts'), 'utf8')
    expect(telemetry).toContain('service.namespace=food-delivery')
    const saga = dashboards().find((dashboard) => dashboard.uid === 'order-saga')
    const reasons = saga?.panels.find((panel) => panel.type === 'barchart')
    expect(reasons?.options.xField).toBe('reason')
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
