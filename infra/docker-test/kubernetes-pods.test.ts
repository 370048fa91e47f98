import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FLEET_SERVICES } from '@food/config'
import { freePorts } from '@food/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INFRA } from '../test/config-files.ts'
import { KUBERNETES, kustomize, type Manifest } from '../test/kustomize.ts'
import { mustRun, runCommand } from './compose.ts'
import { PodRunner } from './pod-runner.ts'

/**
 * The dev overlay of deploy/kubernetes run on a real Docker engine as a kubelet would run its pods
 * (see PodRunner): the images built with the commands of docs/kubernetes.md, PostgreSQL and Redis from the
 * overlay, the migration Jobs and the services' init containers waiting for them at the same
 * time, the services and the gateway unprivileged on read-only filesystems within their memory
 * limits, reached by their Services' names. Then the fleet used through the gateway.
 */
const ROOT = join(INFRA, '..')
const PREFIX = `fleet-k8s-${randomBytes(3).toString('hex')}`
const manifests: Manifest[] = kustomize(join(KUBERNETES, 'overlays/dev'))
const runner = new PodRunner(manifests, PREFIX)
const workloads = (kind: string) => manifests.filter((manifest) => manifest.kind === kind)
const SERVICES = FLEET_SERVICES
const SERVICE_TOKEN = 'dev-only-kubernetes-service-token'
const CHAOS_TOKEN = 'dev-only-kubernetes-chaos-token'

let gateway: string
let restaurant: string
const jobResults: Record<string, { code: number; output: string }> = {}
const waitResults: Record<string, { code: number; output: string }> = {}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
}

const answers = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok

beforeAll(async () => {
  const engine = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'])
  if (engine.code !== 0) throw new Error(`no Docker engine answers: ${engine.output.trim()}`)
  // The images, built as the Kubernetes quick start (docs/kubernetes.md) builds them.
  const guide = readFileSync(join(ROOT, 'docs/kubernetes.md'), 'utf8')
  const builds = [...guide.matchAll(/^docker build (.+ -t food-delivery\/\w+:dev \.)$/gm)].map(
    (match) => match[1] as string,
  )
  expect(builds).toHaveLength(4)
  const started = Date.now()
  for (const build of builds) await mustRun('docker', ['build', '-q', ...build.split(' ')], undefined, ROOT)
  console.log(`images built in ${Math.round((Date.now() - started) / 1000)} s`)

  await runner.createNetwork()
  // The overlay's PostgreSQL and Redis, ready before the rest, as their probes say.
  for (const workload of [
    ...workloads('StatefulSet'),
    ...workloads('Deployment').filter((d) => d.metadata.name === 'redis'),
  ]) {
    const [container] = workload.spec.template.spec.containers
    const name = await runner.start(workload, container)
    await until(`${workload.metadata.name} ready`, () => runner.execProbe(name, container.readinessProbe.exec.command))
  }
  // The migration Jobs and every service's init container at once: the waits must hold the
  // services back until the Jobs have migrated.
  const fleet = workloads('Deployment').filter((deployment) => deployment.metadata.name.endsWith('-service'))
  await Promise.all([
    ...workloads('Job').map(async (job) => {
      jobResults[job.metadata.name] = await runner.runToEnd(job, job.spec.template.spec.containers[0])
    }),
    ...fleet.map(async (deployment) => {
      waitResults[deployment.metadata.name] = await runner.runToEnd(
        deployment,
        deployment.spec.template.spec.initContainers[0],
      )
    }),
  ])
  const ports = await freePorts(fleet.length + 1)
  for (const [i, deployment] of fleet.entries()) {
    const [container] = deployment.spec.template.spec.containers
    const port = ports[i] as number
    await runner.start(deployment, container, { [container.ports[0].containerPort]: port })
    const url = `http://127.0.0.1:${port}`
    if (deployment.metadata.name === 'restaurant-service') restaurant = url
    await until(`${deployment.metadata.name} ready`, answers(`${url}${container.readinessProbe.httpGet.path}`))
  }
  const gatewayDeployment = workloads('Deployment').find((deployment) => deployment.metadata.name === 'gateway')
  const [gatewayContainer] = gatewayDeployment.spec.template.spec.containers
  const gatewayPort = ports[fleet.length] as number
  await runner.start(gatewayDeployment, gatewayContainer, { [gatewayContainer.ports[0].containerPort]: gatewayPort })
  gateway = `http://127.0.0.1:${gatewayPort}`
  await until('gateway ready', answers(`${gateway}${gatewayContainer.readinessProbe.httpGet.path}`))
}, 900_000)

afterAll(async () => {
  await runner.removeAll()
}, 120_000)

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field
  return { status: response.status, body: (await response.json()) as any }
}

describe('the dev overlay, its pods run as Kubernetes would run them', () => {
  it('migrates in the Jobs, and the services waited for them', () => {
    for (const service of SERVICES) {
      const job = jobResults[`${service}-migrate`]
      expect(job?.code, job?.output).toBe(0)
      expect(job?.output).toMatch(/_db: \d+ applied/)
      const wait = waitResults[`${service}-service`]
      expect(wait?.code, wait?.output).toBe(0)
      expect(wait?.output).toContain('every migration applied')
    }
  })

  it('runs the fleet unprivileged on a read-only filesystem, within its memory limits', async () => {
    for (const service of SERVICES) {
      const container = runner.containerName(`${service}-service`, 'service')
      expect((await mustRun('docker', ['exec', container, 'id', '-u'])).trim()).toBe('1000')
      const write = await runCommand('docker', ['exec', container, 'sh', '-c', 'touch /app/written'])
      expect(write.code).not.toBe(0)
      expect(write.output).toMatch(/Read-only file system/)
      const state = (
        await mustRun('docker', [
          'inspect',
          '-f',
          '{{.State.Status}} {{.State.OOMKilled}} {{.HostConfig.Memory}}',
          container,
        ])
      ).trim()
      expect(state).toMatch(/^running false [1-9]\d*$/)
    }
    const nginx = runner.containerName('gateway', 'gateway')
    expect((await mustRun('docker', ['exec', nginx, 'id', '-u'])).trim()).toBe('101')
  })

  it('serves the web front end and the seeded catalogue, and places, reads and cancels an order', async () => {
    const page = await fetch(`${gateway}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    const menus = await call('GET', '/api/restaurants/menus')
    expect(menus.status).toBe(200)
    expect(menus.body.length).toBeGreaterThan(0)
    const menu = menus.body[0]
    const login = await call('POST', '/api/users/login', { username: 'user', password: 'pass' })
    expect(login.status).toBe(200)
    const auth = { authorization: `Bearer ${login.body.access_token}` }
    const placed = await call(
      'POST',
      '/api/orders/orders',
      { items: [{ menu_id: menu.id, quantity: 2 }], address: '서울', phone: '010-0000-0000' },
      auth,
    )
    expect(placed.status).toBe(201)
    expect(placed.body.status).toBe('CONFIRMED')
    expect((await call('GET', `/api/orders/orders/${placed.body.id}`, undefined, auth)).body.status).toBe('CONFIRMED')
    expect((await call('GET', `/api/restaurants/menus/${menu.id}`)).body.stock).toBe(menu.stock - 2)
    const cancelled = await call('POST', `/api/orders/orders/${placed.body.id}/cancel`, undefined, auth)
    expect(cancelled.status).toBe(200)
    expect((await call('GET', `/api/restaurants/menus/${menu.id}`)).body.stock).toBe(menu.stock)
  })

  it('keeps the internal routes behind the gateway and the service token, and chaos behind its token', async () => {
    expect((await call('POST', '/api/restaurants/menus', {})).status).toBe(403)
    const direct = await fetch(`${restaurant}/inventory/1`, { signal: AbortSignal.timeout(5000) })
    expect(direct.status).toBe(200) // reading stock stays open
    const created = await fetch(`${restaurant}/menus`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}` },
      body: JSON.stringify({ restaurant_id: 1, name: '쿠버네티스 비빔밥', price: 9000, stock: 5 }),
    })
    expect(created.status).toBe(201)
    expect((await call('DELETE', '/api/orders/chaos')).status).toBe(401)
    expect((await call('DELETE', '/api/orders/chaos', undefined, { 'x-chaos-token': CHAOS_TOKEN })).status).toBe(200)
  })
})
