/**
 * `npm run k6 -- [run] [-e NAME=value]… [--scale 0.1] <script.js>`: a k6 script run by this runtime,
 * with k6's summary and exit codes (docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci).
 */
import { existsSync } from 'node:fs'
import { unknownOption, usageError, userPath } from '@food/cli-kit/cli-args'
import { listenForInterruption } from '@food/cli-kit/interruption'
import { parseCliArgs, USAGE } from './cli-args.ts'
import { runScript } from './runner.ts'

// The flags of USAGE, for the closest to a mistyped one.
const FLAGS = ['-e', '--env', '--scale', '-h', '--help']

const command = parseCliArgs(process.argv.slice(2))
if (command.kind === 'help') {
  console.log(USAGE)
  process.exit(0)
}
if (command.kind === 'usage-error') {
  const unknown = /^unknown flag (.+)$/.exec(command.message)?.[1]
  usageError(`k6: ${unknown ? unknownOption(unknown, FLAGS) : command.message}`, USAGE)
}
// The path is the caller's (npm keeps where it was run in INIT_CWD).
const script = userPath(command.script)
if (!existsSync(script)) {
  console.error(`k6: ${command.script}: no such file`)
  process.exit(2)
}
// An interruption (Ctrl-C, SIGTERM, SIGHUP) stops the test as k6 does: no new iterations, the teardown (which clears a chaos script's faults), the summary, exit 105.
const interruption = listenForInterruption()
const result = await runScript({
  script,
  env: command.env,
  scale: command.scale,
  signal: interruption.signal,
}).catch((error: Error) => {
  // A script that does not load (syntax, an import this runtime lacks, bad options): k6's
  // ScriptException, 107, with the reason and no stack of ours.
  console.error(`k6: ${error.message}`)
  process.exit(107)
})
console.log(result.summary)
for (const error of [...new Set(result.iterationErrors)]) console.log(`iteration error: ${error}`)
// k6's exit codes: 99 thresholds crossed, 105 interrupted, 107 setup failed, 108 aborted. The root
// package.json runs this file with tsx itself, not through pnpm, whose wrapper would turn every
// failing exit code into 1.
process.exit(result.interrupted ? 105 : result.aborted ? 108 : result.setupError ? 107 : result.ok ? 0 : 99)
