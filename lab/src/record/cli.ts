/**
 * `npm run runs -- diff A B [thresholds]`: two run records (or their verdict.json files) compared
 * phase by phase, a regression gate (docs/experiments.md#the-record-of-a-run).
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { choiceOf, readCommandLine, shownPath, usageError, userPath } from '@food/cli-kit/cli-args'
import { diffVerdicts } from './diff.ts'
import type { Verdict } from './verdict.ts'

const USAGE = `usage: npm run runs -- diff <record A> <record B> [thresholds]
  a record is a run's directory (runs/<time>-<name>/) or its verdict.json
  --max-throughput-drop <p>     fail when a phase's throughput falls by more than p (20% or 0.2)
  --max-p95-rise <p>            fail when a phase's p95 rises by more than p (50% or 0.5)
  --max-error-ratio-rise <r>    fail when a phase's error ratio rises by more than r (0.01: one point)
A broken invariant that held in A, or a run that no longer completes, always fails.`

const fail = (message: string): never => {
  console.error(message)
  process.exit(2)
}

const { values, positionals } = readCommandLine(USAGE, {
  'max-throughput-drop': { type: 'string' },
  'max-p95-rise': { type: 'string' },
  'max-error-ratio-rise': { type: 'string' },
  help: { type: 'boolean', default: false },
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
const [command, a, b] = positionals
if (command === undefined) usageError('no command given', USAGE)
choiceOf('command', command, ['diff'], USAGE)
if (!a || !b || positionals.length > 3) usageError('diff takes two records', USAGE)

/** `20%` or `0.2` as 0.2; undefined when not given. */
function share(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const value = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text)
  if (!(Number.isFinite(value) && value >= 0))
    usageError(`--${option} takes a share (20% or 0.2), not \`${text}\``, USAGE)
  return value
}

/** The verdict of a record the user named, from where they ran the command. */
async function verdictAt(given: string): Promise<Verdict> {
  const path = userPath(given)
  const file = (await stat(path).catch(() => fail(`${given}: no such record`))).isDirectory()
    ? join(path, 'verdict.json')
    : path
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Verdict
  } catch (error) {
    return fail(`${shownPath(file)}: not a run's verdict (${(error as Error).message})`)
  }
}

// The command line first, the records then.
const thresholds = {
  throughputDrop: share('max-throughput-drop', values['max-throughput-drop']),
  p95Rise: share('max-p95-rise', values['max-p95-rise']),
  errorRatioRise: share('max-error-ratio-rise', values['max-error-ratio-rise']),
}
const { lines, breaches } = diffVerdicts(await verdictAt(a as string), await verdictAt(b as string), thresholds)
console.log(lines.join('\n'))
// Exit code 0: B is within the thresholds; 1: something moved past one (or an invariant broke, or
// the run no longer completed); 2 (fail, usageError): bad arguments or unreadable records.
if (breaches.length > 0) {
  console.log(`\npast the thresholds:\n${breaches.map((breach) => `  ${breach}`).join('\n')}`)
  process.exit(1)
}
console.log('\nwithin the thresholds')
