/**
 * The command line of `npm run k6`, read as k6 reads its own (`k6 run [flags] script.js`); see
 * docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci.
 */
export const USAGE = `Runs a k6 script with this project's k6-compatible runtime (it keeps the scripts honest in CI;
to load a fleet, use k6 itself: k6 run load-tests/k6/<name>.js).

Usage:
  npm run k6 -- [run] [flags] <script.js>

Flags:
  -e, --env NAME=value   a variable of __ENV (repeatable), as k6's -e
      --scale factor     every duration, iteration count and VU count times factor (0 < factor ≤ 1),
                         arrival rates kept; thresholds on counts (count>N) scaled with the load
  -h, --help             this text

Exit codes, as k6's: 0 passed, 99 thresholds crossed, 105 interrupted, 107 setup failed, 108 aborted,
2 a bad command line.`

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string }
  | { kind: 'run'; script: string; env: Record<string, string>; scale: number }

export function parseCliArgs(args: string[]): CliCommand {
  const env: Record<string, string> = {}
  let scale = 1
  let script: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === '-h' || arg === '--help' || arg === 'help') return { kind: 'help' }
    if (arg === '-e' || arg === '--env') {
      const pair = args[++i]
      if (!pair?.includes('=')) return { kind: 'usage-error', message: `${arg} takes NAME=value` }
      const [name, ...value] = pair.split('=')
      env[name as string] = value.join('=')
    } else if (arg.startsWith('--env=')) {
      const [name, ...value] = arg.slice('--env='.length).split('=')
      env[name as string] = value.join('=')
    } else if (arg === '--scale' || arg.startsWith('--scale=')) {
      const value = arg === '--scale' ? args[++i] : arg.slice('--scale='.length)
      scale = Number(value)
      if (!(scale > 0 && scale <= 1))
        return { kind: 'usage-error', message: `--scale takes 0 < factor ≤ 1, not ${value}` }
    } else if (arg === 'run' && script === undefined) {
    } else if (arg.startsWith('-')) {
      return { kind: 'usage-error', message: `unknown flag ${arg}` }
    } else if (script === undefined) script = arg
    else return { kind: 'usage-error', message: `one script at a time (got ${script} and ${arg})` }
  }
  if (!script) return { kind: 'usage-error', message: 'no script given' }
  return { kind: 'run', script, env, scale }
}
