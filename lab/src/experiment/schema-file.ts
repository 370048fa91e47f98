/**
 * The experiment format as a JSON Schema file, for editors to complete experiment files; written by
 * `npm run experiment -- --write-schema` (docs/experiments.md#the-file-format).
 */
import { fileURLToPath } from 'node:url'
import { Experiment } from './format.ts'

/** The published JSON Schema of the format, for editors (`"$schema": "../../lab/experiment.schema.json"` in load-tests/experiments). */
export const SCHEMA_FILE = fileURLToPath(new URL('../../experiment.schema.json', import.meta.url))

export const schemaText = () =>
  `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...Experiment }, null, 2)}\n`
