import { type SpawnOptions, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * A command of the lab as a user runs it from the root (`npm run …`): its exit code and
 * output. `cwd`: where the package manager runs it (INIT_CWD in `env` says where the user was).
 */
export async function runCli(script: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) {
  const run = spawnCollecting(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, script), ...args], {
    cwd,
    env: { ...process.env, ...env },
  })
  return { code: await run.exited, output: run.output() }
}

/** A process whose stdout and stderr are collected as one text: its exit code, and what it printed so far. */
export function spawnCollecting(command: string, args: string[], options: SpawnOptions) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited, output: () => output }
}
