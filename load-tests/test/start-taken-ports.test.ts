/**
 * `npm start` while a fleet already runs (#36: it spent 15 s installing and migrating, then failed
 * on EADDRINUSE 8475): scripts/start.mjs itself, on ports of the test's own (USER_PORT, …, and
 * without the fault proxy, whose edges' ports are fixed), finds a port taken before installing
 * anything, says which and whether a fleet answers there, and exits 1.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Server } from 'node:net'
import { ROOT } from '@food/testing/run-cli'
import { startUserService, type TestUserService } from '@food/user-service/test-service'
import { afterAll, describe, expect, it } from 'vitest'
import { ownStartEnv, privatePorts } from './own-start.ts'

const closing: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const close of closing) await close()
})

/** scripts/start.mjs on the given ports; its output and exit code (killed, and failed, if it is still running after 60 s). */
async function start(ports: Record<string, number>) {
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT,
    env: ownStartEnv(ports),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk))
  const timer = setTimeout(() => child.kill('SIGINT'), 60_000)
  const [code] = await once(child, 'exit')
  clearTimeout(timer)
  return { code, output }
}

/** What start prints once it goes past the check. */
const STEPS = ['installing dependencies', 'checking PostgreSQL and Redis', 'migrating', 'building the web front end']

describe('npm start with a port taken', () => {
  it('says a fleet is running when one answers GET /health there, names the port, and exits 1 before installing', async () => {
    const running: TestUserService = await startUserService()
    closing.push(() => running.close())
    const ports = { ...(await privatePorts()), USER_PORT: Number(new URL(running.baseUrl).port) }
    const { code, output } = await start(ports)
    expect(code, output).toBe(1)
    expect(output).toContain('a fleet is already running here (GET /health answers)')
    expect(output).toContain(`port ${ports.USER_PORT}: the user service (USER_PORT), a fleet answers there`)
    for (const step of STEPS) expect(output).not.toContain(step)
  }, 90_000)

  it('says which port another program holds, not that a fleet runs', async () => {
    const ports = await privatePorts()
    // Another program: it accepts connections and never answers (read, so that it sees them end).
    const holder: Server = createServer((socket) => socket.on('error', () => {}).resume()).listen(
      ports.PROCESS_API_PORT,
      '127.0.0.1',
    )
    await once(holder, 'listening')
    closing.push(() => new Promise((resolve) => holder.close(resolve)))
    const { code, output } = await start(ports)
    expect(code, output).toBe(1)
    expect(output).toContain('ports this fleet listens on are taken by another program')
    expect(output).toContain(`port ${ports.PROCESS_API_PORT}: the process API (PROCESS_API_PORT), taken`)
    expect(output).not.toContain('a fleet is already running')
    for (const step of STEPS) expect(output).not.toContain(step)
  }, 90_000)
})
