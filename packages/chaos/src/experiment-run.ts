import { type Static, Type } from '@sinclair/typebox'

/**
 * An experiment in progress, as its runner says (`PUT /chaos/run`), for the chaos console to
 * show: its title, where it is, the hypothesis' probes' last values. It lapses after its TTL, so
 * a runner that died leaves nothing behind; the runner renews it on every check.
 */
const RUN_FIELDS = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  step: Type.Union(
    ['steady state before', 'method', 'steady state after', 'rollbacks'].map((step) => Type.Literal(step)),
    { description: 'where the run is, in Chaos Toolkit’s order' },
  ),
  phase: Type.Union(
    ['baseline', 'fault', 'recovery'].map((phase) => Type.Literal(phase)),
    { description: 'before the first fault, while one is in force, after the last' },
  ),
  elapsed_s: Type.Number({ minimum: 0 }),
  deviated: Type.Boolean({ description: 'a check of the hypothesis has failed so far' }),
  probes: Type.Array(
    Type.Object(
      {
        name: Type.String({ maxLength: 200 }),
        value: Type.String({ maxLength: 200, description: 'the last value, as text' }),
        met: Type.Union([Type.Boolean(), Type.Null()], { description: 'null: not checked yet' }),
      },
      { additionalProperties: false },
    ),
    { maxItems: 50 },
  ),
}

export const ExperimentRun = Type.Object(RUN_FIELDS, { additionalProperties: false, title: 'Experiment in progress' })
export type ExperimentRun = Static<typeof ExperimentRun>

/** As GET /chaos shows it: when it was said, and when it lapses. */
export const ExperimentRunShown = Type.Object({
  ...RUN_FIELDS,
  updated_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
})
export type ExperimentRunShownView = Static<typeof ExperimentRunShown>
