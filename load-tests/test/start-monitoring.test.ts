/**
 * npm start runs Prometheus and Alertmanager when they are installed (#38): on the ports it is
 * given, scraping the three services and itself with the SLOs' and causes' rules, sending to
 * Alertmanager; and without them, saying why, when they are missing, off or their port is taken.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT } from '@food/testing/run-cli'
import { describe, expect, it } from 'vitest'
import { ownStartEnv, privatePorts } from './own-start.ts'

/** scripts/start.mjs until it has said `until` (by default, that the fleet is up, down to its last line) or exits. */
async function startUntilUp(env: NodeJS.ProcessEnv, until?: string) {
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const up = new Promise<boolean>((resolve) => {
    const read = (chunk: Buffer) => {
      output += chunk
      if (until ? output.includes(until) : output.includes('the fleet is up') && output.includes('  try:'))
        resolve(true)
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
    child.once('exit', () => resolve(false))
  })
  const stop = async () => {
    if (child.exitCode !== null) return
    child.kill('SIGINT')
    await once(child, 'exit')
  }
  return { up, output: () => output, stop }
}

// The launcher's own module (plain JavaScript, Node built-ins), as its tests read it.
const { monitoringPlan } = (await import(pathToFileURL(join(ROOT, 'scripts/monitoring.mjs')).href)) as {
  monitoringPlan: (env: NodeJS.ProcessEnv) => { off?: string; prometheus?: string; alertmanager?: string }
}

// biome-ignore lint/suspicious/noExplicitAny: Prometheus' and Alertmanager's answers, read field by field
const json = async (url: string): Promise<any> => (await fetch(url)).json()

describe('npm start with Prometheus and Alertmanager', () => {
  it('runs them with the rules, scraping the services and itself, Alertmanager told; traces into its store', async () => {
    const ports = await privatePorts()
    const fleet = await startUntilUp(ownStartEnv(ports))
    try {
      expect(await fleet.up, fleet.output()).toBe(true)
      const prometheus = `http://127.0.0.1:${ports.PROMETHEUS_PORT}`
      expect(fleet.output()).toContain(`prometheus  http://localhost:${ports.PROMETHEUS_PORT}/alerts`)
      // Every target up once scraped (every 2 s).
      let health: Record<string, string> = {}
      for (let i = 0; i < 30 && Object.values(health).filter((state) => state === 'up').length < 5; i++) {
        const targets = await json(`${prometheus}/api/v1/targets`)
        health = Object.fromEntries(
          targets.data.activeTargets.map((target: { labels: { job: string }; health: string }) => [
            target.labels.job,
            target.health,
          ]),
        )
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
      expect(health).toEqual({
        'user-service': 'up',
        'restaurant-service': 'up',
        'order-service': 'up',
        prometheus: 'up',
        alertmanager: 'up',
      })
      const { data } = await json(`${prometheus}/api/v1/rules`)
      const alerts = data.groups.flatMap((group: { rules: { type: string; name: string }[] }) =>
        group.rules.filter((rule) => rule.type === 'alerting').map((rule) => rule.name),
      )
      expect(alerts).toEqual(expect.arrayContaining(['OrdersAnsweredBudgetBurn', 'ServiceDown', 'EventLoopLag']))
      const alertmanagers = await json(`${prometheus}/api/v1/alertmanagers`)
      expect(alertmanagers.data.activeAlertmanagers).toEqual([
        { url: `http://127.0.0.1:${ports.ALERTMANAGER_PORT}/api/v2/alerts` },
      ])
      const status = await json(`http://127.0.0.1:${ports.ALERTMANAGER_PORT}/api/v2/status`)
      expect(status).toMatchObject({ cluster: { status: 'disabled' } })
      // Traced by default: a response's X-Trace-Id is a trace in the store (Tempo's API), while it waits
      // for its sampling decision and after, if kept.
      const traceId = (await fetch(`http://127.0.0.1:${ports.RESTAURANT_PORT}/menus`)).headers.get('x-trace-id')
      expect(traceId).toMatch(/^[0-9a-f]{32}$/)
      let trace: { batches?: { resource: { attributes: { key: string; value: { stringValue?: string } }[] } }[] } = {}
      for (let i = 0; i < 80 && !trace.batches; i++) {
        const answer = await fetch(`http://127.0.0.1:${ports.TRACE_STORE_API_PORT}/api/traces/${traceId}`)
        if (answer.ok) trace = (await answer.json()) as typeof trace
        else await new Promise((resolve) => setTimeout(resolve, 250))
      }
      expect(trace.batches?.[0]?.resource.attributes).toContainEqual({
        key: 'service.name',
        value: { stringValue: 'restaurant-service' },
      })
      expect(fleet.output()).toContain(`traces      http://localhost:${ports.TRACE_STORE_API_PORT}`)
      // It notifies a running experiment, at the webhook port it was given (Alertmanager shows the URL as a secret).
      expect(status.config.original).toContain('webhook_configs')
      const config = await readFile(join(ownStartEnv(ports).MONITORING_DIR as string, 'alertmanager.yml'), 'utf8')
      expect(config).toContain(`url: http://127.0.0.1:${ports.ALERT_WEBHOOK_PORT}/alerts`)
    } finally {
      await fleet.stop()
    }
  }, 180_000)

  it('runs without them, saying why before it installs anything, when another program holds their port', async () => {
    const ports = await privatePorts()
    // Another program on Prometheus' port (Debian's packages start theirs as services).
    const holder: Server = createServer((socket) => socket.on('error', () => {}).resume()).listen(
      ports.PROMETHEUS_PORT,
      '127.0.0.1',
    )
    await once(holder, 'listening')
    const fleet = await startUntilUp(ownStartEnv(ports), 'taken, by another Prometheus or Alertmanager')
    try {
      expect(await fleet.up, fleet.output()).toBe(true)
      expect(fleet.output()).toContain(`port ${ports.PROMETHEUS_PORT} (Prometheus (PROMETHEUS_PORT)) taken`)
      expect(fleet.output()).toContain('The fleet runs without its own')
    } finally {
      await fleet.stop()
      await new Promise((resolve) => holder.close(resolve))
    }
  }, 60_000)

  it('names how to get them when they are not installed', () => {
    expect(monitoringPlan({ PATH: '/nonexistent' })).toEqual({
      off: expect.stringContaining(
        'not installed (apt-get install prometheus prometheus-alertmanager, or brew install prometheus alertmanager)',
      ),
    })
    expect(monitoringPlan({ ...process.env, MONITORING: 'off' })).toEqual({ off: 'MONITORING=off' })
    expect(monitoringPlan(process.env)).toMatchObject({ prometheus: 'prometheus' })
  })
})
