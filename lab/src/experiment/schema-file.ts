import { fileURLToPath } from 'node:url'
import { Experiment } from './format.ts'

/** The published JSON Schema of the format, for editors (`"$schema": "../../lab/experiment.schema.json"` in load-tests/experiments). */
export const SCHEMA_FILE = fileURLToPath(new URL('../../experiment.schema.json', import.meta.url))

export const schemaText = () =>
  `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...Experiment }, null, 2)}\n`
