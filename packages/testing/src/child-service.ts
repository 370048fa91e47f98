import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'

/** A TCP port that was free a moment ago, for a child process that cannot report its own. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1)
  return port as number
}

/**
 * `count` distinct free ports: each is held until all are taken, so the system cannot hand the
 * same one out twice (ports asked for one after the other can come back equal).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer().listen(0, '127.0.0.1'))
  await Promise.all(servers.map((server) => once(server, 'listening')))
  const ports = servers.map((server) => {
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    return address.port
  })
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

/**
 * Polls `url` every 25 ms (start-up is timed with it) until it answers 2xx (true), the child
 * exits, or about 30 s pass (false): a service compiling its TypeScript on a loaded 2-core
 * machine can take over 10 s to start.
 * `child` is the process expected to serve it: its exit ends the wait at once.
 */
export async function answersSoon(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 1200; i++) {
    // Already gone: exited, or killed by a signal (a test's SIGKILL).
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return false // exited, or never started
    try {
      if ((await fetch(url)).ok) return true
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return false
}

export interface RunningChild {
  pid: number
  /** What it printed on stderr so far. */
  stderr(): string
  stop(): Promise<void>
}

export interface StartChildOptions {
  /** Started once this answers 2xx (see `answersSoon`). */
  readyUrl: string
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** How it is asked to stop; SIGTERM unless it prefers another (nginx: SIGQUIT). */
  stopSignal?: NodeJS.Signals
  /** Each line it prints on stdout; without it, stdout is ignored. */
  onLine?: (line: string) => void
}

/** A server in a child process, started when `readyUrl` answers; a failed start stops it and throws. */
export async function startChild(command: string, args: string[], options: StartChildOptions): Promise<RunningChild> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', options.onLine ? 'pipe' : 'ignore', 'pipe'],
  })
  let spawnError: Error | undefined
  child.on('error', (error) => {
    spawnError = error
  })
  let pending = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n')
    pending = parts.pop() ?? ''
    for (const line of parts) options.onLine?.(line)
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const stop = async () => {
    // Already gone: exited, or killed by a signal (a test's SIGKILL).
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    child.kill(options.stopSignal ?? 'SIGTERM')
    await once(child, 'exit')
  }
  if (await answersSoon(options.readyUrl, child)) return { pid: child.pid ?? 0, stderr: () => stderr, stop }
  await stop()
  if (child.pid === undefined && !spawnError) await once(child, 'error') // e.g. ENOENT, not yet told
  const reason = spawnError ? ` (${spawnError.message})` : ''
  throw new Error(`${command} did not answer on ${options.readyUrl}${reason}: ${stderr}`)
}

export interface ChildService extends RunningChild {
  baseUrl: string
  /** Every line the service printed on stdout so far (its JSON logs). */
  lines: string[]
}

/**
 * A service's TypeScript through tsx, the telemetry bootstrap first, as `npm start` and the tests
 * run it (the images run their compiled JavaScript as their Dockerfile's `CMD` says).
 */
export const TYPESCRIPT_ENTRY = ['--import', 'tsx', '--import', '@food/telemetry/register', 'src/server.ts']

/**
 * A service run as in production, in a child process started with `nodeArguments` in `dir`,
 * ready when its readiness probe answers 200; on `env.PORT` when given (a restart where it was),
 * else on a free port.
 */
export async function spawnService(
  dir: string,
  env: Record<string, string>,
  nodeArguments: string[] = TYPESCRIPT_ENTRY,
): Promise<ChildService> {
  const port = env.PORT ? Number(env.PORT) : await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const lines: string[] = []
  const child = await startChild(process.execPath, nodeArguments, {
    readyUrl: `${baseUrl}/health/ready`,
    cwd: dir,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    onLine: (line) => lines.push(line),
  })
  return { ...child, baseUrl, lines }
}
