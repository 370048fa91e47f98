/**
 * deploy/kubernetes, checked without a cluster: every overlay rendered by `kubectl kustomize`,
 * every object validated against the Kubernetes schemas pinned by kubernetes-models, and what the
 * manifests say checked against what the code needs: each service's environment passes its own
 * config loader, the ports, probes, Secrets and Services line up, chaos is off unless an overlay
 * turns it on, and the fleet's containers run unprivileged on read-only filesystems.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadOrderConfig, OrderConfigSchema } from '@food/order-service/config'
import { loadRestaurantConfig, RestaurantConfigSchema } from '@food/restaurant-service/config'
import { loadUserConfig, UserConfigSchema } from '@food/user-service/config'
import { afterAll, describe, expect, it } from 'vitest'
import { ruleFiles } from './config-files.ts'
import {
  containerEnvironment,
  decodeSecret,
  find,
  generatedName,
  KUBERNETES,
  kustomize,
  type Manifest,
} from './kustomize.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

// A throwaway kustomization: production with the Prometheus Operator's component.
const scratch = mkdtempSync(join(tmpdir(), 'fleet-kustomize-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
writeFileSync(
  join(scratch, 'kustomization.yaml'),
  // Kustomize takes relative paths only.
  `resources: [${relative(scratch, join(KUBERNETES, 'overlays/production'))}]\ncomponents: [${relative(scratch, join(KUBERNETES, 'components/prometheus-operator'))}]\n`,
)

const RENDERED: Record<string, Manifest[]> = {
  base: kustomize(join(KUBERNETES, 'base')),
  dev: kustomize(join(KUBERNETES, 'overlays/dev')),
  production: kustomize(join(KUBERNETES, 'overlays/production')),
  'production + prometheus-operator': kustomize(scratch),
  load: kustomize(join(KUBERNETES, 'load')),
}
const OVERLAYS = ['dev', 'production'] as const

const SERVICES = {
  user: { load: loadUserConfig, schema: UserConfigSchema },
  restaurant: { load: loadRestaurantConfig, schema: RestaurantConfigSchema },
  order: { load: loadOrderConfig, schema: OrderConfigSchema },
} as const
type ServiceName = keyof typeof SERVICES

/** The Secrets an overlay must provide (the base's comment and docs/kubernetes.md say the same). */
const SECRET_CONTRACT: Record<string, string[]> = {
  'fleet-database-urls': ['user', 'restaurant', 'order'],
  'fleet-redis': ['url'],
  'fleet-secrets': ['jwt-secret', 'service-token', 'chaos-token'],
}

/** Variables read by something else than the service's config loader. */
const READ_ELSEWHERE = new Set([
  'MIGRATE_ON_START', // docker/entrypoint.sh
  'SEED_ON_START',
  'OTEL_SERVICE_NAME', // the OpenTelemetry SDK
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_RESOURCE_ATTRIBUTES',
])

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind)
const podSpecs = (manifests: Manifest[]) =>
  manifests.filter((manifest) => manifest.spec?.template?.spec).map((manifest) => manifest.spec.template.spec)
const mainContainer = (deployment: Manifest) => deployment.spec.template.spec.containers[0]
const envOf = (container: Manifest, name: string) => container.env.find((variable: Manifest) => variable.name === name)
/**
 * The environment a container gets; a Secret the overlay only references (production) holds a
 * strong random value, as the checklist asks, and each reference must be one of the contract's.
 */
function environment(manifests: Manifest[], container: Manifest): Record<string, string> {
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef
    if (ref) expect(SECRET_CONTRACT[generatedName(ref.name)], `${variable.name}: Secret ${ref.name}`).toContain(ref.key)
  }
  return containerEnvironment(manifests, container, (ref) =>
    ref.key === 'url'
      ? 'rediss://managed-redis.example:6380'
      : generatedName(ref.name) === 'fleet-database-urls'
        ? `postgresql://fleet:secret@managed-postgres.example:5432/${ref.key}_db`
        : randomBytes(32).toString('base64url'),
  )
}

/**
 * Kustomize folds a Secret's long base64 values over lines, which the API server's decoder skips
 * and the schema's `byte` format does not: the values as the server reads them.
 */
const unfolded = (manifest: Manifest) =>
  manifest.kind === 'Secret' && manifest.data
    ? {
        ...manifest,
        data: Object.fromEntries(
          Object.entries(manifest.data).map(([key, value]) => [key, String(value).replace(/\s/g, '')]),
        ),
      }
    : manifest

describe('deploy/kubernetes renders, and every object is valid Kubernetes', () => {
  it.each(Object.keys(RENDERED))(
    '%s: each object passes the schema of its kind (kubernetes-models 4.5.1)',
    async (name) => {
      for (const manifest of RENDERED[name] as Manifest[]) {
        const [group, version] = manifest.apiVersion.includes('/')
          ? manifest.apiVersion.split('/')
          : ['', manifest.apiVersion]
        const module =
          group === 'monitoring.coreos.com'
            ? `@kubernetes-models/prometheus-operator/${group}/${version}/${manifest.kind}`
            : `kubernetes-models/${group ? `${group}/` : ''}${version}/${manifest.kind}`
        const { [manifest.kind]: Model } = await import(module)
        expect(
          () => new Model(unfolded(manifest)).validate(),
          `${manifest.kind} ${manifest.metadata.name}`,
        ).not.toThrow()
      }
    },
  )

  it('a model refuses what Kubernetes would (the validation is real)', async () => {
    const { Deployment } = await import('kubernetes-models/apps/v1/Deployment')
    const broken = structuredClone(find(RENDERED.production as Manifest[], 'Deployment', 'order-service'))
    broken.spec.template.spec.containers[0].ports[0].containerPort = '8080'
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort must be integer/)
  })

  it('the base gives no Secret and no default for one; the production overlay only references them', () => {
    expect(byKind(RENDERED.base as Manifest[], 'Secret')).toEqual([])
    expect(byKind(RENDERED.production as Manifest[], 'Secret')).toEqual([])
    const dev = byKind(RENDERED.dev as Manifest[], 'Secret')
    const named = (name: string) => dev.filter((secret) => generatedName(secret.metadata.name) === name)
    for (const [name, keys] of Object.entries(SECRET_CONTRACT)) {
      expect(named(name).map((secret) => Object.keys(secret.data).sort())).toEqual([[...keys].sort()])
    }
    for (const secret of named('fleet-secrets')) {
      for (const key of Object.keys(secret.data)) expect(decodeSecret(secret, key)).toMatch(/^dev-only-/)
    }
  })
})

describe.each(OVERLAYS)('overlay %s: what the manifests say matches what the code needs', (overlay) => {
  const manifests = RENDERED[overlay] as Manifest[]

  it.each(Object.keys(SERVICES) as ServiceName[])('%s: its environment passes its own config loader', (service) => {
    const deployment = find(manifests, 'Deployment', `${service}-service`)
    const container = mainContainer(deployment)
    const env = environment(manifests, container)
    const config = SERVICES[service].load(env) as Record<string, unknown>
    expect(config.NODE_ENV).toBe(overlay === 'dev' ? 'development' : 'production')
    expect(config.HOST).toBe('0.0.0.0')
    // Every name it sets is one something reads: a typo would be ignored silently otherwise.
    const known = new Set(Object.keys(SERVICES[service].schema.properties))
    const configMapKeys = new Set(
      Object.keys(find(manifests, 'ConfigMap', container.envFrom[0].configMapRef.name).data),
    )
    for (const name of (container.env as Manifest[]).map((variable) => variable.name)) {
      expect(known.has(name) || READ_ELSEWHERE.has(name), `${service}: ${name}`).toBe(true)
    }
    for (const name of configMapKeys) {
      const readers = Object.values(SERVICES).filter(({ schema }) => name in schema.properties)
      expect(readers.length > 0 || READ_ELSEWHERE.has(name), `fleet-config: ${name}`).toBe(true)
    }
    expect(env.OTEL_SERVICE_NAME).toBe(`${service}-service`)
  })

  it.each(Object.keys(SERVICES) as ServiceName[])(
    '%s: image, port, probes, Service and migrations line up',
    (service) => {
      const deployment = find(manifests, 'Deployment', `${service}-service`)
      const pod = deployment.spec.template.spec
      const container = mainContainer(deployment)
      const image = `food-delivery/${service}:${overlay === 'dev' ? 'dev' : 'latest'}`
      expect(container.image).toBe(image)
      // The kind quick start (docs/kubernetes.md) builds the image under that name; its entry point and CMD start it.
      expect(readFileSync(join(ROOT, 'docs/kubernetes.md'), 'utf8')).toContain(
        `--build-arg SERVICE=${service} -t food-delivery/${service}:dev .`,
      )
      expect(container.command).toBeUndefined()
      const [port] = container.ports
      expect(port).toEqual({ name: 'http', containerPort: Number(envOf(container, 'PORT').value) })
      expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' })
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' })
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' })
      expect(deployment.spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(port.containerPort),
        'prometheus.io/path': '/metrics',
      })
      const kubeService = find(manifests, 'Service', `${service}-service`)
      expect(kubeService.spec.selector).toEqual(deployment.spec.selector.matchLabels)
      expect(kubeService.spec.ports).toEqual([{ name: 'http', port: port.containerPort, targetPort: 'http' }])

      // The migration Job and the pods' wait use the service's own database and its image.
      const job = find(manifests, 'Job', `${service}-migrate`)
      const [wait] = pod.initContainers
      for (const migrator of [job.spec.template.spec.containers[0], wait]) {
        expect(migrator.image).toBe(image)
        expect(migrator.command.slice(0, 2)).toEqual(['node', '/app/packages/postgres/bin/fleet-db.mjs'])
        expect(envOf(migrator, 'DATABASE_URL')).toEqual(envOf(container, 'DATABASE_URL'))
      }
      expect(job.spec.template.spec.containers[0].command.slice(2)).toEqual(['migrate', 'prisma/migrations'])
      expect(wait.command.slice(2)).toEqual(['wait', 'prisma/migrations'])
      const { name, key } = envOf(container, 'DATABASE_URL').valueFrom.secretKeyRef
      expect({ name: generatedName(name), key }).toEqual({ name: 'fleet-database-urls', key: service })
      expect(envOf(container, 'MIGRATE_ON_START').value).toBe('false')
      expect(existsSync(join(ROOT, 'packages/postgres/bin/fleet-db.mjs'))).toBe(true)
      expect(existsSync(join(ROOT, `services/${service}/prisma/migrations`))).toBe(true)

      // Autoscaled (no fixed count to fight it), spread over nodes, drained one pod at a time.
      expect(deployment.spec.replicas).toBeUndefined()
      const autoscaler = find(manifests, 'HorizontalPodAutoscaler', `${service}-service`)
      expect(autoscaler.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployment.metadata.name,
      })
      const budget = find(manifests, 'PodDisruptionBudget', `${service}-service`)
      expect(budget.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels)
      expect(pod.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels)
    },
  )

  it('the services find each other, and the gateway and the Ingress find them', () => {
    const config = find(
      manifests,
      'ConfigMap',
      mainContainer(find(manifests, 'Deployment', 'order-service')).envFrom[0].configMapRef.name,
    ).data
    const gateway = mainContainer(find(manifests, 'Deployment', 'gateway'))
    const addresses = [
      new URL(config.USER_SERVICE_URL).host,
      new URL(config.RESTAURANT_SERVICE_URL).host,
      ...['USER_SERVERS', 'RESTAURANT_SERVERS', 'ORDER_SERVERS'].map(
        (name) => /^server ([\w.-]+:\d+) /.exec(envOf(gateway, name).value)?.[1] as string,
      ),
    ]
    for (const address of addresses) {
      const [host, port] = address.split(':')
      expect(find(manifests, 'Service', host as string).spec.ports.map(({ port }: Manifest) => port)).toContain(
        Number(port),
      )
    }
    expect(gateway.ports[0].containerPort).toBe(Number(envOf(gateway, 'GATEWAY_PORT').value))
    expect(gateway.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' })
    const backend = find(manifests, 'Ingress', 'fleet').spec.rules[0].http.paths[0].backend.service
    const gatewayService = find(manifests, 'Service', backend.name)
    expect(gatewayService.spec.ports.map(({ name }: Manifest) => name)).toContain(backend.port.name)
    // The gateway's routes are nginx/templates', tested through real nginx by nginx/test.
    expect(readFileSync(join(ROOT, 'nginx/templates/default.conf.template'), 'utf8')).toMatch(/\$\{USER_SERVERS\}/)
  })

  it(`chaos is ${overlay === 'dev' ? 'on, behind the chaos token' : 'off'}`, () => {
    for (const service of Object.keys(SERVICES)) {
      const container = mainContainer(find(manifests, 'Deployment', `${service}-service`))
      const env = environment(manifests, container)
      expect(env.CHAOS_ENABLED).toBe(overlay === 'dev' ? 'true' : 'false')
      const ref = envOf(container, 'CHAOS_TOKEN')?.valueFrom.secretKeyRef
      expect(ref && { name: generatedName(ref.name), key: ref.key }).toEqual(
        overlay === 'dev' ? { name: 'fleet-secrets', key: 'chaos-token' } : undefined,
      )
    }
  })

  it("the fleet's containers run unprivileged, read-only, with requests and limits", () => {
    const own = manifests.filter(
      (manifest) => manifest.metadata.labels?.['app.kubernetes.io/part-of'] === 'food-delivery',
    )
    const pods = podSpecs(own)
    expect(pods.length).toBe(7) // three services, their three migrations, the gateway
    for (const pod of pods) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })
      expect(pod.automountServiceAccountToken).toBe(false)
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(container.securityContext, container.name).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        })
        expect(container.resources.requests.memory, container.name).toBeDefined()
        expect(container.resources.limits.memory, container.name).toBeDefined()
      }
    }
  })
})

describe('load from inside the cluster, and Prometheus', () => {
  const load = RENDERED.load as Manifest[]

  it('the k6 Job runs every script of load-tests/k6, mounted from a ConfigMap, at the Ingress', () => {
    const scripts = find(load, 'ConfigMap', 'k6-scripts')
    const files = readdirSync(join(ROOT, 'load-tests/k6')).filter((file) => file.endsWith('.js'))
    expect(Object.keys(scripts.data).sort()).toEqual(files.sort())
    for (const file of files) expect(scripts.data[file]).toBe(readFileSync(join(ROOT, 'load-tests/k6', file), 'utf8'))
    const job = find(load, 'Job', 'k6-load')
    const pod = job.spec.template.spec
    const [k6] = pod.containers
    expect(pod.volumes.find((volume: Manifest) => volume.name === 'scripts').configMap.name).toBe('k6-scripts')
    // Beside them, at /experiments (the scripts open ../experiments/<name>.json), every experiment file.
    const experiments = find(load, 'ConfigMap', 'k6-experiments')
    const plans = readdirSync(join(ROOT, 'load-tests/experiments')).filter(
      (f) => f.endsWith('.json') && f !== 'schema.json',
    )
    expect(Object.keys(experiments.data).sort()).toEqual(plans.sort())
    for (const file of plans) {
      expect(experiments.data[file]).toBe(readFileSync(join(ROOT, 'load-tests/experiments', file), 'utf8'))
    }
    expect(pod.volumes.find((volume: Manifest) => volume.name === 'experiments').configMap.name).toBe('k6-experiments')
    expect(k6.volumeMounts.find((mount: Manifest) => mount.name === 'experiments').mountPath).toBe('/experiments')
    expect(k6.volumeMounts.find((mount: Manifest) => mount.name === 'scripts').mountPath).toBe('/scripts')
    expect(k6.args).toEqual(['run', '/scripts/$(K6_SCRIPT)'])
    expect(Object.keys(scripts.data)).toContain(envOf(k6, 'K6_SCRIPT').value)
    // The names the scripts read (load-tests/k6/lib.js), and the restaurant's Service for its internal routes.
    const lib = readFileSync(join(ROOT, 'load-tests/k6/lib.js'), 'utf8')
    for (const { name } of (k6.env as Manifest[]).filter(({ name }: Manifest) => name !== 'K6_SCRIPT')) {
      expect(lib, name).toContain(`__ENV.${name}`)
    }
    expect(new URL(envOf(k6, 'RESTAURANT_URL').value).host).toBe('restaurant-service:8080')
    // The scripts refuse any host but localhost unless it is named (lib.js): the Job names its targets.
    const targets = envOf(k6, 'LOAD_TARGET_HOSTS').value.split(',')
    for (const name of ['GATEWAY', 'RESTAURANT_URL']) expect(targets).toContain(new URL(envOf(k6, name).value).hostname)
    expect(job.metadata.namespace).toBe(find(RENDERED.dev as Manifest[], 'Namespace', 'food-delivery').metadata.name)
  })

  it('the ServiceMonitor scrapes /metrics on the port of the three services', () => {
    const manifests = RENDERED['production + prometheus-operator'] as Manifest[]
    const [monitor] = byKind(manifests, 'ServiceMonitor')
    const selected = byKind(manifests, 'Service').filter((service) =>
      Object.entries(monitor.spec.selector.matchLabels).every(
        ([key, value]) => service.metadata.labels?.[key] === value,
      ),
    )
    expect(selected.map((service) => service.metadata.name).sort()).toEqual([
      'order-service',
      'restaurant-service',
      'user-service',
    ])
    for (const service of selected) {
      expect(service.spec.ports.map(({ name }: Manifest) => name)).toContain(monitor.spec.endpoints[0].port)
    }
    expect(monitor.spec.endpoints[0].path).toBe('/metrics')
  })

  it('the PrometheusRule holds every group of the rule files Prometheus loads (the SLOs’ and causes’)', () => {
    const [rule] = byKind(RENDERED['production + prometheus-operator'] as Manifest[], 'PrometheusRule')
    const files = Object.values(ruleFiles()).flatMap((file) => file.groups)
    expect(rule.spec.groups.map((group: Manifest) => group.name).sort()).toEqual(
      files.map((group) => group.name).sort(),
    )
    expect(rule.spec.groups.flatMap((group: Manifest) => group.rules).length).toBe(
      files.flatMap((group) => group.rules).length,
    )
  })
})
