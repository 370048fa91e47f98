import type { Reporter, SerializedError, TestModule } from 'vitest/node'

const STACK_FRAMES = 6
/** Frames of the test runner itself and of Node's internals say nothing about the failure. */
const NOISE = /node_modules\/\.pnpm\/@vitest\+|\(node:internal|at new Promise \(<anonymous>\)/

/** The error's first line, then its first stack frames: enough to know where to look. */
function describeError(error: SerializedError | undefined): string[] {
  if (!error) return ['  (no error recorded)']
  const headline = `  ${error.name ?? 'Error'}: ${error.message.split('\n')[0]}`
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at ') && !NOISE.test(line))
    .slice(0, STACK_FRAMES)
    .map((line) => `    ${line.trim()}`)
  const origin = typeof error.VITEST_TEST_PATH === 'string' ? [`    while running ${error.VITEST_TEST_PATH}`] : []
  return [headline, ...frames, ...origin]
}

/**
 * Repeats, as the very last lines of a run, why it failed. A CI log is read from its tail, and
 * vitest prints the failures (above all unhandled errors) far above its summary.
 */
export default class FailureDigestReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    const lines: string[] = []
    for (const module of testModules) {
      const where = `[${module.project.name}] ${module.relativeModuleId}`
      for (const error of module.errors()) lines.push(`${where}: the file failed`, ...describeError(error))
      for (const test of module.children.allTests('failed')) {
        lines.push(`${where} > ${test.fullName}`, ...describeError(test.result().errors?.[0]))
      }
    }
    for (const error of unhandledErrors) lines.push('unhandled error', ...describeError(error))
    if (lines.length > 0) console.log(['', '── why this run failed ──', ...lines].join('\n'))
  }
}
