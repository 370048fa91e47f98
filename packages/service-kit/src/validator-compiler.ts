import AjvCompiler from '@fastify/ajv-compiler'
import type { FastifyServerOptions } from 'fastify'

type ValidatorFactory = ReturnType<typeof AjvCompiler>

/**
 * Params, querystrings and headers arrive as text, so their values are coerced to the schema's
 * types (`?delay=2000` → 2000). JSON bodies are typed already: coercing them would turn
 * `{"password": ["x"]}` into `"x"` or `"2"` into 2; a wrong type in a body is a 400.
 */
export const strictBodyValidation: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator: (externalSchemas, ajvServerOptions) => {
      const buildCoercing = AjvCompiler() as ValidatorFactory
      const buildStrict = AjvCompiler() as ValidatorFactory
      const coercing = buildCoercing(externalSchemas as never, ajvServerOptions as never)
      const strict = buildStrict(
        externalSchemas as never,
        {
          ...(ajvServerOptions as object),
          customOptions: { ...(ajvServerOptions as { customOptions?: object })?.customOptions, coerceTypes: false },
        } as never,
      )
      return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route))
    },
  },
}
