/**
 * `npm run k6 -- [-e NAME=value]… [--scale 0.1] <script.js>`: a k6 script run by this runtime, with
 * k6's summary and exit codes (99 thresholds crossed, 107 setup failed, 108 aborted). It exists to
 * keep the scripts honest in CI; to load a fleet, use k6 itself: `k6 run load-tests/k6/<name>.js`.
 */
import { resolve } from 'node:path'
import { runScript } from './runner.ts'

const args = process.argv.slice(2)
const env: Record<string, string> = {}
let scale = 1
let script: string | undefined
for (let i = 0; i < args.length; i++) {
  const arg = args[i] as string
  if (arg === '-e' || arg === '--env') {
    const [name, ...value] = (args[++i] ?? '').split('=')
    env[name as string] = value.join('=')
  } else if (arg === '--scale') scale = Number(args[++i])
  else if (arg === 'run') continue
  else script = arg
}
if (!script || !(scale > 0 && scale <= 1)) {
  console.error('usage: npm run k6 -- [-e NAME=value]… [--scale 0 < factor ≤ 1] <script.js>')
  process.exit(2)
}
// npm runs this in load-tests/; the path is the caller's (npm keeps where it was run in INIT_CWD).
const result = await runScript({ script: resolve(process.env.INIT_CWD ?? process.cwd(), script), env, scale })
console.log(result.summary)
for (const error of [...new Set(result.iterationErrors)]) console.log(`iteration error: ${error}`)
process.exit(result.aborted ? 108 : result.setupError ? 107 : result.ok ? 0 : 99)
