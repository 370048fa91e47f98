import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * A command of the load-tests as a user runs it from the root (`npm run …`): its exit code and
 * output. `cwd`: where the package manager runs it (INIT_CWD in `env` says where the user was).
 */
export function runCli(script: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, script), ...args], {
    cwd,
    env: { ...process.env, ...env },
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, output })),
  )
}
