import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { byRole, labRole, processTree } from '../src/process-memory.ts'

const MB = 1024 * 1024
const children: ReturnType<typeof spawn>[] = []

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill()
      await once(child, 'exit')
    }
  }
})

/** A node child running `script`, once it printed `up` (and what it printed). */
async function nodeChild(script: string) {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  child.stdout?.setEncoding('utf8')
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      output += chunk
      if (output.includes('up')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`the child exited with ${code}`)))
  })
  return { child, output }
}

describe('processTree reads a process tree from /proc', () => {
  it('finds this process, a node child and its sleep grandchild, each with its command line and memory', async () => {
    const { child, output } = await nodeChild(
      `const s = require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' });
       process.on('SIGTERM', () => { s.kill(); process.exit(0) });
       console.log('up ' + s.pid); setInterval(() => {}, 1000)`,
    )
    const sleepPid = Number(/up (\d+)/.exec(output)?.[1])
    const tree = await processTree(process.pid)

    expect(tree[0]?.pid).toBe(process.pid)
    const node = tree.find((entry) => entry.pid === child.pid)
    expect(node).toMatchObject({ ppid: process.pid, cmdline: [process.execPath, '-e', expect.any(String)] })
    expect(node?.cwd).toBe(process.cwd())
    const sleep = tree.find((entry) => entry.pid === sleepPid)
    expect(sleep).toMatchObject({ ppid: child.pid, cmdline: ['sleep', '60'] })
    for (const entry of [node, sleep]) {
      expect(entry?.source).toBe('smaps_rollup')
      expect(entry?.rss).toBeGreaterThan(0)
      expect(entry?.pss).toBeGreaterThan(0)
      expect(entry?.pss).toBeLessThanOrEqual(entry?.rss ?? 0)
    }
    // A node process holds megabytes of its own (its heap), and its binary's pages; a sleep far less.
    expect(node?.rss).toBeGreaterThan(10 * MB)
    expect(node?.rss).toBeLessThan(1024 * MB)
    expect(sleep?.rss).toBeLessThan(node?.rss ?? 0)
  })

  it('sums a tree by role, each process once, the whole as the sum of the roles', async () => {
    const { child } = await nodeChild(`console.log('up'); setInterval(() => {}, 1000)`)
    const tree = await processTree(process.pid)
    const { roles, total } = byRole(tree, (entry) => (entry.pid === child.pid ? 'child' : 'the rest'))

    expect(roles.map((role) => role.role)).toEqual(['the rest', 'child'])
    expect(roles.find((role) => role.role === 'child')).toMatchObject({ processes: 1 })
    expect(total.processes).toBe(tree.length)
    expect(total.rss).toBe(roles.reduce((sum, role) => sum + role.rss, 0))
    expect(total.pss).toBe(roles.reduce((sum, role) => sum + role.pss, 0))
  })

  it('is empty for a process that is not there', async () => {
    const gone = spawn('true')
    await once(gone, 'exit')
    expect(await processTree(gone.pid as number)).toEqual([])
  })
})

describe('labRole names what each process of npm start is', () => {
  const node = '/usr/bin/node'
  const server = [node, '--import', 'tsx', 'src/server.ts']
  it.each([
    [{ cmdline: [node, '/repo/scripts/start.mjs'], cwd: '/repo' }, 'launcher'],
    [{ cmdline: ['/usr/bin/prometheus', '--config.file=x'], cwd: '/repo' }, 'prometheus'],
    [{ cmdline: ['/usr/bin/prometheus-alertmanager', '--config.file=x'], cwd: '/repo' }, 'alertmanager'],
    [{ cmdline: ['/opt/homebrew/bin/alertmanager'], cwd: '/repo' }, 'alertmanager'],
    [{ cmdline: server, cwd: '/repo/packages/fault-proxy' }, 'fault proxy'],
    [{ cmdline: server, cwd: '/repo/services/web' }, 'web server'],
    [
      {
        cmdline: [
          node,
          '--max-semi-space-size=2',
          '--import',
          'tsx',
          '--import',
          '@food/telemetry/register',
          'src/server.ts',
        ],
        cwd: '/repo/services/restaurant',
      },
      'restaurant service',
    ],
    [
      {
        cmdline: ['/repo/node_modules/@esbuild/linux-x64/bin/esbuild', '--service=0.25.0', '--ping'],
        cwd: '/repo/services/user',
      },
      'other',
    ],
    [{ cmdline: [node, 'build.ts'], cwd: '/repo/services/web' }, 'other'],
  ])('%j is %s', (entry, role) => {
    expect(labRole(entry)).toBe(role)
  })
})
