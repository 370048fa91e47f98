import { Type } from '@sinclair/typebox'
import Fastify from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { docsPlugin } from '../src/index.ts'

const app = Fastify()
await app.register(docsPlugin, {
  title: 'Test service',
  description: 'A service with one route',
  version: '1.2.3',
  tags: [{ name: 'menus', description: 'The menus' }],
})
const Menu = Type.Object({ id: Type.Integer(), name: Type.String() }, { $id: 'Menu' })
app.addSchema(Menu)
app.get(
  '/menus/:id',
  {
    schema: {
      tags: ['menus'],
      params: Type.Object({ id: Type.Integer() }),
      response: { 200: Type.Ref(Menu) },
    },
  },
  async () => ({ id: 1, name: '김치찌개' }),
)
await app.ready()
afterAll(() => app.close())

describe('docs: OpenAPI and both UIs, offline', () => {
  it('describes every route, shared schemas under their own names, where FastAPI serves it too', async () => {
    const document = (await app.inject('/openapi.json')).json()
    expect(document).toMatchObject({
      openapi: '3.0.3',
      info: { title: 'Test service', version: '1.2.3' },
      tags: [{ name: 'menus', description: 'The menus' }],
      components: { schemas: { Menu: { type: 'object' } }, securitySchemes: { bearerAuth: { scheme: 'bearer' } } },
    })
    expect(Object.keys(document.paths)).toEqual(['/menus/{id}'])
    expect((await app.inject('/docs/json')).json()).toEqual(document)
  })

  it('serves Swagger UI and ReDoc with their assets from npm, no CDN', async () => {
    const swagger = await app.inject('/docs/')
    expect(swagger.statusCode).toBe(200)
    expect(swagger.body).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/)
    const redoc = await app.inject('/redoc')
    expect(redoc.headers['content-type']).toContain('text/html')
    expect(redoc.body).toContain('<script src="/redoc/redoc.standalone.js">')
    expect(redoc.body).toContain('spec-url="/docs/json"')
    const bundle = await app.inject('/redoc/redoc.standalone.js')
    expect(bundle.statusCode).toBe(200)
    expect(bundle.headers['content-type']).toContain('javascript')
    expect(bundle.body.length).toBeGreaterThan(100_000)
  })
})
