/**
 * Sloth's `prometheus/v1` SLO spec (sloth.dev/specifications/prometheus-sloth), so its users' files
 * carry over: read from YAML and checked, every problem named by its path (docs/alerts.md).
 */
import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { parse } from 'yaml'

const Labels = Type.Record(Type.String(), Type.String())
const AlertOverrides = Type.Object(
  { disable: Type.Optional(Type.Boolean()), labels: Type.Optional(Labels), annotations: Type.Optional(Labels) },
  { additionalProperties: false },
)

export const SloSpec = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', description: 'the SLO, in kebab case' }),
    objective: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100, description: 'the target, in percent' }),
    description: Type.Optional(Type.String()),
    labels: Type.Optional(Labels),
    sli: Type.Union([
      Type.Object(
        {
          events: Type.Object(
            { error_query: Type.String(), total_query: Type.String() },
            { additionalProperties: false },
          ),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        { raw: Type.Object({ error_ratio_query: Type.String() }, { additionalProperties: false }) },
        { additionalProperties: false },
      ),
    ]),
    alerting: Type.Object(
      {
        name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]*$' }),
        labels: Type.Optional(Labels),
        annotations: Type.Optional(Labels),
        page_alert: Type.Optional(AlertOverrides),
        ticket_alert: Type.Optional(AlertOverrides),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)

export const SlothSpec = Type.Object(
  {
    version: Type.Literal('prometheus/v1'),
    service: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    labels: Type.Optional(Labels),
    slos: Type.Array(SloSpec, { minItems: 1 }),
  },
  { additionalProperties: false },
)
export type SlothSpec = Static<typeof SlothSpec>
export type SloSpec = Static<typeof SloSpec>

/** A spec file that is not one, with every problem at its path. */
export class InvalidSloSpec extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: not a Sloth prometheus/v1 spec:\n${problems.map((problem) => `  ${problem}`).join('\n')}`)
  }
}

/** The spec in a YAML (or JSON) text, checked: its shape, and its queries' `{{.window}}`. */
export function readSlothSpec(text: string, file: string): SlothSpec {
  let value: unknown
  try {
    value = parse(text)
  } catch (error) {
    throw new InvalidSloSpec(file, [(error as Error).message])
  }
  const problems = [...Value.Errors(SlothSpec, value)].map((error) => `${error.path || '/'}: ${error.message}`)
  if (problems.length > 0) throw new InvalidSloSpec(file, problems)
  const spec = value as SlothSpec
  spec.slos.forEach((slo, i) => {
    for (const [name, query] of Object.entries('events' in slo.sli ? slo.sli.events : slo.sli.raw)) {
      if (!query.includes('{{.window}}'))
        problems.push(`/slos/${i}/sli/${name}: has no {{.window}} (Sloth puts each window's range there)`)
    }
  })
  const names = spec.slos.map((slo) => slo.name)
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) problems.push(`/slos/${i}/name: ${name} is named twice`)
  })
  if (problems.length > 0) throw new InvalidSloSpec(file, problems)
  return spec
}
