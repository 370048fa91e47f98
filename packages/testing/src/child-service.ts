import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'

/** A TCP port that was free a moment ago, for a child process that cannot report its own. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/**
 * Polls `url` until it answers 2xx (true), the child exits, or about 10 s pass (false).
 * `child` is the process expected to serve it: its exit ends the wait at once.
 */
export async function answersSoon(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false
    try {
      if ((await fetch(url)).ok) return true
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}

export interface ChildService {
  baseUrl: string
  /** Every line the service printed on stdout so far (its JSON logs). */
  lines: string[]
  /** What it printed on stderr so far. */
  stderr(): string
  stop(): Promise<void>
}

/**
 * A service run exactly as in production (`node --import tsx --import @food/telemetry/register
 * src/server.ts`) in a child process, ready when its readiness probe answers 200.
 */
export async function spawnService(dir: string, env: Record<string, string>): Promise<ChildService> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', '@food/telemetry/register', 'src/server.ts'],
    {
      cwd: dir,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const lines: string[] = []
  let pending = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n')
    pending = parts.pop() ?? ''
    lines.push(...parts)
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const baseUrl = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
  if (await answersSoon(`${baseUrl}/health/ready`, child)) return { baseUrl, lines, stderr: () => stderr, stop }
  await stop()
  throw new Error(`service in ${dir} did not become ready: ${stderr}`)
}
