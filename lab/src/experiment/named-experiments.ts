/**
 * The experiment files users edit, by name: `npm run experiment -- storm` runs
 * load-tests/experiments/storm.json (what `npm run scenario -- storm` ran before Step 23).
 * See docs/experiments.md#the-file-format.
 */
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const EXPERIMENTS_DIR = fileURLToPath(new URL('../../../load-tests/experiments/', import.meta.url))

const EXPERIMENT_FILE = /\.(json|ya?ml)$/

/** The names of load-tests/experiments' files (storm for storm.json), sorted. */
export const experimentNames = (): string[] =>
  readdirSync(EXPERIMENTS_DIR)
    .filter((file) => EXPERIMENT_FILE.test(file) && file !== 'schema.json' && file !== 'kustomization.yaml')
    .map((file) => file.replace(EXPERIMENT_FILE, ''))
    .sort()

/** A bare name (no directory, no extension) names a file of load-tests/experiments; anything else is a path. */
export const isExperimentName = (given: string): boolean => !/[/\\]/.test(given) && !EXPERIMENT_FILE.test(given)

/** The file a name stands for, or undefined when load-tests/experiments has none by that name. */
export function namedExperimentFile(name: string): string | undefined {
  return ['json', 'yaml', 'yml']
    .map((extension) => `${EXPERIMENTS_DIR}${name}.${extension}`)
    .find((file) => existsSync(file))
}
