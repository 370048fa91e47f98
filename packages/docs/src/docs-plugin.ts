import { createReadStream } from 'node:fs'
import { createRequire } from 'node:module'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

export interface DocsPluginOptions {
  title: string
  description: string
  version: string
  /** Tags in the order the UIs list them, with their descriptions. */
  tags: { name: string; description: string }[]
}

const require = createRequire(import.meta.url)
// ReDoc's standalone bundle comes from the npm package: the docs must work offline.
const REDOC_BUNDLE = require.resolve('redoc/bundles/redoc.standalone.js')

const redocPage = (title: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} — ReDoc</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <redoc spec-url="/docs/json"></redoc>
  <script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
`

const docs: FastifyPluginAsync<DocsPluginOptions> = async (app, options) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, description: options.description, version: options.version },
      tags: options.tags,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
    refResolver: {
      // Shared schemas keep their $id as the component name: ErrorResponse, not def-0.
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true, tryItOutEnabled: true } })

  // Where the original sample (FastAPI) serves its document; the same as /docs/json.
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(redocPage(options.title)),
  )
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(createReadStream(REDOC_BUNDLE)),
  )
}

export const docsPlugin = fp(docs, { name: '@food/docs', fastify: '5.x' })
