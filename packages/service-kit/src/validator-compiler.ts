import AjvCompiler from '@fastify/ajv-compiler'
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify'

type ValidatorFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>['buildValidator']
type AjvServerOptions = { customOptions?: Record<string, unknown> } | undefined
// What Fastify passes the compiler for each route part (the published types only say `schema`).
type RouteSchema = Parameters<FastifySchemaCompiler<unknown>>[0]

/**
 * Params, querystrings and headers arrive as text, so their values are coerced to the schema's
 * types (`?delay=2000` → 2000). JSON bodies are typed already: coercing them would turn
 * `{"password": ["x"]}` into `"x"` or `"2"` into 2; a wrong type in a body is a 400. A body
 * field its schema does not know is a 400 too, not dropped in silence (Fastify's default): a
 * typo such as `{"ttl": 5}` for `ttl_s` must not set a fault that never expires.
 */
const buildValidator = ((externalSchemas: unknown, serverOptions: AjvServerOptions) => {
  const build = (options: AjvServerOptions) =>
    AjvCompiler()(externalSchemas as never, options as never) as unknown as (route: RouteSchema) => unknown
  const coercing = build(serverOptions)
  const strict = build({
    ...serverOptions,
    customOptions: { ...serverOptions?.customOptions, coerceTypes: false, removeAdditional: false },
  })
  return (route: RouteSchema) => (route.httpPart === 'body' ? strict(route) : coercing(route))
}) as unknown as ValidatorFactory

export const strictBodyValidation: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: { buildValidator },
}
