/**
 * The lab's command lines, read one way: strict options, a usage error with exit 2, and paths taken
 * from where the user ran the command (docs/experiments.md#the-file-format).
 */
import { isAbsolute, relative, resolve } from 'node:path'
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { closestOf, notOneOf } from '@food/errors/suggest'

type Options = NonNullable<ParseArgsConfig['options']>

/** What was wrong with the command line, then its usage, on stderr; exit code 2. */
export function usageError(message: string, usage: string): never {
  console.error(`${message}\n\n${usage}`)
  process.exit(2)
}

/** "unknown option --scal (did you mean --scale?)", when one of `known` is near. */
export function unknownOption(given: string, known: readonly string[]): string {
  const near = closestOf(given, known)
  return `unknown option ${given}${near ? ` (did you mean ${near}?)` : ''}`
}

/** parseArgs' error in the lab's words: an unknown option with the closest known one. */
function explain(error: Error & { code?: string }, options: Options): string {
  const names = Object.entries(options).flatMap(([name, option]) => [
    `--${name}`,
    ...(option.short ? [`-${option.short}`] : []),
  ])
  const unknown = /^Unknown option '([^']+)'/.exec(error.message)?.[1]
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return unknownOption(unknown, names)
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(error.message)?.[1]
  if (missing) return `${missing} takes a value`
  const flag = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(error.message)?.[1]
  if (flag) return `${flag} takes no value`
  return error.message
}

/**
 * The command line, strictly (node:util's parseArgs in strict mode): an unknown option or a missing
 * value is a usage error, said in a line with the usage, exit 2 (a bad value too: numberOption, choiceOf).
 */
export function readCommandLine<const O extends Options>(usage: string, options: O, args = process.argv.slice(2)) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    return usageError(explain(error as Error, options), usage)
  }
}

/** `--name`'s text as a number within [min, max] (an integer if asked), or a usage error naming it. */
export function numberOption(
  name: string,
  text: string,
  range: { min: number; max: number; integer?: boolean; aboveMin?: boolean },
  usage: string,
): number {
  const value = Number(text)
  const fits =
    text.trim() !== '' &&
    Number.isFinite(value) &&
    (range.aboveMin ? value > range.min : value >= range.min) &&
    value <= range.max &&
    (!range.integer || Number.isInteger(value))
  if (fits) return value
  const kind = range.integer ? 'a whole number' : 'a number'
  const bounds = `${range.aboveMin ? '(' : '['}${range.min}, ${range.max}]`
  return usageError(`--${name} takes ${kind} in ${bounds}, not \`${text}\``, usage)
}

/** `given` if it is one of `valid`, else a usage error naming the valid ones and the closest. */
export function choiceOf<T extends string>(what: string, given: string, valid: readonly T[], usage: string): T {
  if ((valid as readonly string[]).includes(given)) return given as T
  return usageError(notOneOf(given, valid, what), usage)
}

/**
 * The directory the user ran the command in: npm (and pnpm) set INIT_CWD to it (the script itself
 * runs elsewhere). Every path a user gives or is shown is taken from it.
 */
export const userDirectory = (): string => process.env.INIT_CWD || process.cwd()

/** A path the user gave (or a default such as runs/…), from where they ran the command. */
export const userPath = (given: string): string => resolve(userDirectory(), given)

/** A path as the user is shown it: from where they ran the command, when it lies below it. */
export function shownPath(path: string): string {
  const shown = relative(userDirectory(), resolve(path))
  return shown === '' ? '.' : shown.startsWith('..') || isAbsolute(shown) ? resolve(path) : shown
}
