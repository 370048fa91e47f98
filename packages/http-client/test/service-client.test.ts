import { AppError } from '@food/errors'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServiceClient } from '../src/service-client.ts'

let upstream: FastifyInstance
let baseUrl: string

beforeAll(async () => {
  upstream = Fastify()
  upstream.post('/echo', async (request) => ({ received: request.body, traceparent: request.headers.traceparent }))
  upstream.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    return { late: true }
  })
  upstream.get('/missing', async (_request, reply) => reply.code(404).send({ error: { code: 'NOPE', message: 'no' } }))
  upstream.get('/not-json', async (_request, reply) => reply.type('text/html').send('<html>'))
  await upstream.listen({ host: '127.0.0.1', port: 0 })
  const address = upstream.server.address()
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})
afterAll(() => upstream.close())

const client = (overrides: Partial<ConstructorParameters<typeof ServiceClient>[0]> = {}) =>
  new ServiceClient({ name: 'upstream', baseUrl, connectTimeoutMs: 500, requestTimeoutMs: 300, ...overrides })

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('ServiceClient', () => {
  it('sends JSON and parses the JSON answer', async () => {
    const response = await client().request({ method: 'POST', path: '/echo', body: { a: 1 } })
    expect(response).toMatchObject({ statusCode: 200, body: { received: { a: 1 } } })
  })

  it('returns non-2xx answers for the caller to judge', async () => {
    const response = await client().request({ method: 'GET', path: '/missing' })
    expect(response).toMatchObject({ statusCode: 404, body: { error: { code: 'NOPE' } } })
  })

  it('gives up after the request timeout with a 504 DEPENDENCY_TIMEOUT', async () => {
    // The upstream would answer after 1000 ms: a 504 shows the client stopped waiting first.
    const error = await failure(client().request({ method: 'GET', path: '/slow' }))
    expect(error).toMatchObject({ statusCode: 504, code: 'DEPENDENCY_TIMEOUT', details: { dependency: 'upstream' } })
  })

  it('honours a per-call timeout', async () => {
    const response = await client({ requestTimeoutMs: 50 }).request({ method: 'GET', path: '/slow', timeoutMs: 2000 })
    expect(response.body).toEqual({ late: true })
  })

  it('answers 503 DEPENDENCY_UNAVAILABLE when nothing listens', async () => {
    const error = await failure(client({ baseUrl: 'http://127.0.0.1:1' }).request({ method: 'GET', path: '/anything' }))
    expect(error).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_UNAVAILABLE' })
    expect(error.message).toContain('ECONNREFUSED')
  })

  it('answers 503 DEPENDENCY_BAD_RESPONSE for a body that is not JSON', async () => {
    const error = await failure(client().request({ method: 'GET', path: '/not-json' }))
    expect(error).toMatchObject({ statusCode: 503, code: 'DEPENDENCY_BAD_RESPONSE' })
  })
})
