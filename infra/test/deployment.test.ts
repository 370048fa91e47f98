import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EDGES, type EdgeName, type FleetAddresses, fleetEdges } from '@food/fault-proxy/fleet-edges'
import { loadOrderConfig } from '@food/order-service/config'
import { loadRestaurantConfig } from '@food/restaurant-service/config'
import { loadUserConfig } from '@food/user-service/config'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { INFRA } from './config-files.ts'

/**
 * The compose files and the Dockerfile, checked without Docker: what they reference exists, and
 * what they set is what the services read. `npm run test:docker` builds and runs them for real.
 */
const ROOT = join(INFRA, '..')
// biome-ignore lint/suspicious/noExplicitAny: a compose document, read field by field
const compose: any = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true })
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')

/** Where an edge of the fault proxy listens on the compose network. */
const edge = (name: EdgeName) => `fault-proxy:${EDGES[name].port}`

const SERVICES = {
  user: { port: 8001, loadConfig: loadUserConfig },
  restaurant: { port: 8002, loadConfig: loadRestaurantConfig },
  order: { port: 8003, loadConfig: loadOrderConfig },
}

describe('docker-compose.yml', () => {
  it('includes the monitoring stack and runs the fleet, its databases and the gateway', () => {
    expect(compose.include).toEqual(['infra/docker-compose.yml'])
    expect(Object.keys(compose.services).sort()).toEqual([
      'fault-proxy',
      'gateway',
      'order',
      'postgres',
      'redis',
      'restaurant',
      'secrets',
      'user',
    ])
  })

  it('builds each service from the Dockerfile with its name', () => {
    for (const name of Object.keys(SERVICES)) {
      const build = compose.services[name].build
      expect(existsSync(join(ROOT, build.context, build.dockerfile ?? 'Dockerfile'))).toBe(true)
      expect(build.args).toEqual({ SERVICE: name })
      expect(existsSync(join(ROOT, 'services', name, 'src/server.ts'))).toBe(true)
      expect(existsSync(join(ROOT, 'services', name, 'package.json'))).toBe(true)
    }
  })

  it('gives each service a configuration its own loader accepts, in production mode, with the secrets it made', () => {
    // The secrets service's script, run here into a folder that stands for the secrets volume.
    const secrets = mkdtempSync(join(tmpdir(), 'fleet-secrets-'))
    const made = spawnSync(process.execPath, [join(ROOT, 'docker/fleet-secrets.mjs'), secrets], { encoding: 'utf8' })
    expect(made.status, made.stderr).toBe(0)
    expect(compose.services.secrets.volumes).toContain('./docker/fleet-secrets.mjs:/fleet-secrets.mjs:ro')
    const withSecrets = (env: Record<string, string>) =>
      Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replace('/run/fleet-secrets', secrets)]))
    for (const [name, { port, loadConfig }] of Object.entries(SERVICES)) {
      const env = withSecrets(compose.services[name].environment)
      expect(compose.services[name].depends_on.secrets).toEqual({ condition: 'service_completed_successfully' })
      expect(compose.services[name].volumes).toContain('fleet-secrets:/run/fleet-secrets:ro')
      const config = loadConfig(env)
      expect(config.CHAOS_TOKEN).toBe(readFileSync(join(secrets, 'chaos-token'), 'utf8'))
      expect(config.NODE_ENV).toBe('production')
      expect(config.PORT).toBe(port)
      // Published on the loopback only: chaos switches must not be open to the network.
      expect(compose.services[name].ports).toEqual([`127.0.0.1:\${${name.toUpperCase()}_HOST_PORT:-${port}}:${port}`])
      expect(config.CHAOS_ENABLED).toBe(true)
      // Its PostgreSQL and its Redis through its edges of the fault proxy.
      expect(new URL(config.DATABASE_URL).host).toBe(edge(`${name}-postgres` as EdgeName))
      expect(new URL(config.REDIS_URL).host).toBe(edge(`${name}-redis` as EdgeName))
      expect(config.FAULT_PROXY_URL).toBe('http://fault-proxy:8474')
      expect(env.OTEL_SERVICE_NAME).toBe(`${name}-service`)
      expect(new URL(String(env.OTEL_EXPORTER_OTLP_ENDPOINT)).hostname).toBe('tempo')
    }
    expect(loadUserConfig(withSecrets(compose.services.user.environment)).JWT_SECRET).toHaveLength(43)
    const order = loadOrderConfig(withSecrets(compose.services.order.environment))
    // The order service shows the restaurant the token the restaurant asks for.
    expect(order.SERVICE_TOKEN).toBe(
      loadRestaurantConfig(withSecrets(compose.services.restaurant.environment)).SERVICE_TOKEN,
    )
    expect(order.SERVICE_TOKEN).toBe(readFileSync(join(secrets, 'service-token'), 'utf8'))
    expect([new URL(order.USER_SERVICE_URL).host, new URL(order.RESTAURANT_SERVICE_URL).host]).toEqual([
      edge('order-user'),
      edge('order-restaurant'),
    ])
  })

  it('runs every edge through the fault proxy, to the parts it names, its API on the host’s loopback only', () => {
    const proxy = compose.services['fault-proxy']
    expect(proxy.build).toEqual({ context: '.', args: { SERVICE: 'order' } })
    expect(proxy.ports).toEqual([`127.0.0.1:\${FAULT_PROXY_HOST_PORT:-8474}:8474`])
    expect(proxy.environment).toMatchObject({ FAULT_PROXY_API: '0.0.0.0:8474', FAULT_PROXY_HOST: '0.0.0.0' })
    const upstreams = Object.fromEntries(
      fleetEdges(JSON.parse(proxy.environment.FAULT_PROXY_FLEET) as FleetAddresses).map((e) => [e.name, e.upstream]),
    )
    const postgres = 'postgres:5432'
    const redis = 'redis:6379'
    expect(upstreams).toEqual({
      'gateway-user': 'user:8001',
      'gateway-restaurant': 'restaurant:8002',
      'gateway-order': 'order:8003',
      'order-user': 'user:8001',
      'order-restaurant': 'restaurant:8002',
      'user-postgres': postgres,
      'restaurant-postgres': postgres,
      'order-postgres': postgres,
      'user-redis': redis,
      'restaurant-redis': redis,
      'order-redis': redis,
    })
    expect(compose.services.postgres.ports).toBeUndefined()
    // The image's entry point would migrate: the proxy runs alone, from the compiled package.
    expect([...proxy.entrypoint, ...proxy.command]).toEqual(['node', '/app/packages/fault-proxy/src/server.js'])
    expect(existsSync(join(ROOT, 'packages/fault-proxy/src/server.ts'))).toBe(true)
  })

  it('creates every database the services use', () => {
    const init = readFileSync(join(ROOT, 'docker/postgres-init.sql'), 'utf8')
    for (const name of Object.keys(SERVICES)) {
      const database = new URL(compose.services[name].environment.DATABASE_URL).pathname.slice(1)
      expect(init).toContain(`CREATE DATABASE ${database};`)
    }
    const mount = compose.services.postgres.volumes[0].split(':')
    expect(existsSync(join(ROOT, mount[0]))).toBe(true)
    expect(mount[1]).toMatch(/^\/docker-entrypoint-initdb\.d\//)
  })

  it('starts services only once what they need is healthy', () => {
    for (const name of ['postgres', 'redis', 'user', 'restaurant', 'order', 'gateway']) {
      expect(compose.services[name].healthcheck ?? dockerfile.includes('HEALTHCHECK')).toBeTruthy()
    }
    expect(compose.services.order.depends_on).toMatchObject({
      user: { condition: 'service_healthy' },
      restaurant: { condition: 'service_healthy' },
    })
    expect(compose.services.gateway.depends_on.order).toEqual({ condition: 'service_healthy' })
    expect(compose.services['fault-proxy'].healthcheck.test).toContainEqual(expect.stringContaining(':8474/version'))
    expect(compose.services['fault-proxy'].depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    })
    for (const name of Object.keys(SERVICES)) {
      expect(compose.services[name].depends_on['fault-proxy']).toEqual({ condition: 'service_healthy' })
    }
  })

  it('gives the gateway every variable of its template, built from a Dockerfile that copies what exists', () => {
    const gateway = compose.services.gateway
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's variable syntax, not JavaScript's
    expect(gateway.ports).toEqual(['127.0.0.1:${GATEWAY_HOST_PORT:-80}:80'])
    expect(gateway.build).toEqual({ context: '.', dockerfile: 'nginx/Dockerfile' })
    const dockerfile = readFileSync(join(ROOT, gateway.build.dockerfile), 'utf8')
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)].map((match) => match[1] ?? '')
    expect(copied.length).toBeGreaterThan(0)
    for (const source of copied) expect(existsSync(join(ROOT, source))).toBe(true)
    const template = readFileSync(join(ROOT, 'nginx/templates/default.conf.template'), 'utf8')
    const needed = new Set([...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((match) => match[1]))
    expect([...needed].filter((name) => !(name && name in gateway.environment))).toEqual([])
    expect(gateway.environment.USER_SERVERS).toContain(`server ${edge('gateway-user')} `)
    expect(gateway.environment.RESTAURANT_SERVERS).toContain(`server ${edge('gateway-restaurant')} `)
    expect(gateway.environment.ORDER_SERVERS).toContain(`server ${edge('gateway-order')} `)
  })

  it('writes the services’ logs where the monitoring stack’s Promtail reads them', () => {
    // biome-ignore lint/suspicious/noExplicitAny: a compose document
    const infra: any = parse(readFileSync(join(INFRA, 'docker-compose.yml'), 'utf8'))
    expect(infra.services.promtail.volumes).toContain('fleet-logs:/var/log/fleet:ro')
    for (const name of Object.keys(SERVICES)) {
      expect(compose.services[name].volumes).toContain('fleet-logs:/var/log/fleet')
      expect(compose.services[name].environment.LOG_FILE).toBe(`/var/log/fleet/${name}.log`)
    }
  })
})

describe('Dockerfile', () => {
  it('builds in stages onto node:20-slim, runs as the node user in production mode', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20[.\d]*-slim$/m)
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3)
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production /m)
    expect(dockerfile).toContain('--prod')
  })

  it('copies what exists and runs the compiled server, the OpenTelemetry bootstrap first', () => {
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const path of (source as string).split(/\s+/)) expect(existsSync(join(ROOT, path)), path).toBe(true)
    }
    for (const file of ['docker/entrypoint.sh', 'docker/healthcheck.mjs']) {
      expect(existsSync(join(ROOT, file)), file).toBe(true)
      expect(dockerfile).toContain(`/app/${file}`)
    }
    expect(readFileSync(join(ROOT, 'docker/entrypoint.sh'), 'utf8')).toContain(
      '$app/packages/postgres/bin/fleet-db.mjs',
    )
    expect(existsSync(join(ROOT, 'packages/postgres/bin/fleet-db.mjs'))).toBe(true)
    expect(dockerfile).toMatch(/^ENV .*NODE_OPTIONS="--conditions=compiled[ "]/m)
    expect(dockerfile).toContain(
      'CMD ["node", "--heap-growing-percent=30", "--import", "@food/telemetry/register", "src/server.js"]',
    )
  })

  it('finds the compiled JavaScript of every package the images load, beside its TypeScript', () => {
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''))
    expect(build.compilerOptions).toMatchObject({ noEmit: false, rewriteRelativeImportExtensions: true })
    // The test-only packages, npm start's supervisor (plain .mjs, Node built-ins) and the lab's command-line tools are never in an image.
    const notInImages = new Set(['testing', 'test-infrastructure', 'supervisor', 'cli-kit', 'k6-runtime', 'slo'])
    for (const name of readdirSync(join(ROOT, 'packages')).filter((name) => !notInImages.has(name))) {
      const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8'))
      const targets = Object.values<{ compiled: string; default: string }>(manifest.exports)
      for (const target of [
        ...targets,
        ...Object.values<{ compiled: string; default: string }>(manifest.imports ?? {}),
      ]) {
        expect(existsSync(join(ROOT, 'packages', name, target.default)), `${name}: ${target.default}`).toBe(true)
        expect(target.compiled, name).toBe(target.default.replace(/\.ts$/, '.js'))
      }
    }
  })

  it('leaves dependencies, generated clients and local state out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    for (const pattern of ['**/node_modules', '**/generated', '.git', '.fleet']) expect(ignored).toContain(pattern)
  })
})

describe('dclint', () => {
  it('finds no error in the compose files', () => {
    const run = spawnSync(
      join(INFRA, 'node_modules/.bin/dclint'),
      ['-c', join(ROOT, '.dclintrc.yml'), join(ROOT, 'docker-compose.yml'), join(INFRA, 'docker-compose.yml')],
      { encoding: 'utf8' },
    )
    expect(run.error).toBeUndefined()
    // biome-ignore lint/suspicious/noControlCharactersInRegex: dclint colours its report
    const report = (run.stdout + run.stderr).replace(/\x1b\[[0-9;]*m/g, '')
    expect(report).not.toMatch(/^\s*\d+:\d+\s+error\b/m)
    expect(run.status).toBe(0)
  })
})
