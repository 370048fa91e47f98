import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

export interface Program {
  name: string
  command: string
  args: string[]
  cwd?: string
  env?: Record<string, string>
  /** A URL that answers 2xx once the program serves: the supervisor's restart and start wait for it. */
  ready?: string
}

/**
 * Programs run by the launcher's own supervisor (packages/supervisor) in a child process, and
 * the URL of its Docker-Engine-like API: what `npm start` does with the fleet, on a free port.
 */
export async function startSupervised(
  programs: Program[],
  options: { refused?: string[]; token?: string; env?: Record<string, string> } = {},
) {
  const harness = spawn(process.execPath, [fileURLToPath(new URL('supervisor-harness.mjs', import.meta.url))], {
    env: {
      ...process.env,
      SUPERVISED: JSON.stringify(programs),
      SUPERVISED_REFUSED: JSON.stringify(options.refused ?? []),
      ...(options.token ? { CHAOS_TOKEN: options.token } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const log: string[] = []
  harness.stderr.setEncoding('utf8').on('data', (chunk: string) => log.push(...chunk.trimEnd().split('\n')))
  const [line] = (await once(harness.stdout.setEncoding('utf8'), 'data')) as [string]
  const url = line.trim()
  const engine = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const answer = await fetch(`${url}${path}`, { method, headers })
    const text = await answer.text()
    return { status: answer.status, body: text ? JSON.parse(text) : undefined }
  }
  return {
    url,
    engine,
    /** What the supervisor said (restarts, signals, pauses). */
    log,
    stop: async () => {
      if (harness.exitCode !== null) return
      const exited = once(harness, 'exit')
      harness.kill('SIGTERM')
      await exited
    },
  }
}
