import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorBody, startUserService, type TestUserService } from './helpers/user-service.ts'

let service: TestUserService
beforeAll(async () => {
  service = await startUserService()
})
afterAll(() => service.close())

describe('health', () => {
  it('is live', async () => {
    expect(await service.call('GET', '/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } })
  })

  it('answers the original sample’s probe, GET /health, in its words', async () => {
    expect(await service.call('GET', '/health')).toMatchObject({ status: 200, body: { status: 'healthy' } })
  })

  it('serves its OpenAPI document at /openapi.json too, as the original does', async () => {
    const [original, ours] = await Promise.all([
      service.call('GET', '/openapi.json'),
      service.call('GET', '/docs/json'),
    ])
    expect(original.status).toBe(200)
    expect(original.body).toEqual(ours.body)
  })

  it('is ready when PostgreSQL and Redis answer', async () => {
    const response = await service.call('GET', '/health/ready')
    expect(response).toMatchObject({ status: 200, body: { status: 'ok', checks: { postgres: 'ok', redis: 'ok' } } })
  })
})

describe('metrics', () => {
  it('exposes request durations by route template, never by raw URL', async () => {
    const user = await service.createUser()
    await service.call('GET', `/users/${user.id}`)
    const response = await fetch(`${service.baseUrl}/metrics`)
    expect(response.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/)
    const text = await response.text()
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{service="user",method="GET",route="\/users\/:id",status_code="200"\} [1-9]/,
    )
    expect(text).not.toContain(`/users/${user.id}"`)
    expect(text).toContain('process_cpu_user_seconds_total')
  })
})

/** The samples of one metric in a scrape, each with its labels, whatever their order. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => {
      const [, labels = '', value = ''] = /^[^{]+\{(.*)\} (\S+)/.exec(line) ?? []
      return {
        labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, val]) => [key, val])),
        value: Number(value),
      }
    })
}

describe('the original sample’s metrics, beside ours', () => {
  const service_name = 'user-service'

  it('counts requests by method, endpoint template and status, and times them', async () => {
    const user = await service.createUser()
    await service.call('GET', `/users/${user.id}`)
    await service.call('GET', '/users/999999')
    await service.call('GET', '/nowhere/at/all')
    const text = await service.metrics()
    const requests = samples(text, 'http_requests_total')
    const counted = (endpoint: string, status: string) =>
      requests.find(
        ({ labels }) =>
          labels.method === 'GET' &&
          labels.endpoint === endpoint &&
          labels.status === status &&
          labels.status_code === status &&
          labels.service_name === service_name,
      )?.value
    expect(counted('/users/{id}', '200')).toBeGreaterThanOrEqual(1)
    expect(counted('/users/{id}', '404')).toBe(1)
    // An unrouted path shares one series: a scan of random URLs cannot grow the series without bound.
    expect(counted('unmatched', '404')).toBe(1)
    expect(text).not.toContain('/nowhere')
    // The original's middleware does not count the scrapes.
    expect(requests.some(({ labels }) => labels.endpoint === '/metrics')).toBe(false)
    expect(samples(text, 'http_request_duration_seconds_count')).toContainEqual({
      labels: { service: 'user', method: 'GET', endpoint: '/users/{id}', service_name },
      value: expect.any(Number),
    })
  })

  it('shows the pool’s connections in use, as database_connections_active{service_name}', async () => {
    const text = await service.metrics()
    const [active] = samples(text, 'database_connections_active')
    expect(active?.labels).toEqual({ service: 'user', service_name })
    expect(active?.value).toBeGreaterThanOrEqual(0)
    expect(samples(text, 'database_connections_max')).toEqual([
      { labels: { service: 'user', service_name }, value: 10 },
    ])
    expect(samples(text, 'database_pool_waiting_requests')).toEqual([
      { labels: { service: 'user', service_name }, value: 0 },
    ])
  })

  it('counts a request in progress while it runs', async () => {
    const user = await service.createUser()
    const inProgress = async () =>
      samples(await service.metrics(), 'http_requests_in_progress').find(
        ({ labels }) => labels.service_name === service_name,
      )?.value
    const slow = service.call('POST', '/validate?delay=1500', { headers: { authorization: `Bearer ${user.token}` } })
    await expect.poll(inProgress, { interval: 50, timeout: 1400 }).toBe(1)
    expect((await slow).status).toBe(200)
    expect(await inProgress()).toBe(0)
  })
})

/** Sends `request` as it is, bytes Node may not even parse, and reads the answer to its end. */
async function rawExchange(request: string): Promise<{ status: number; body: unknown }> {
  const url = new URL(service.baseUrl)
  const socket = connect(Number(url.port), url.hostname)
  await once(socket, 'connect')
  socket.end(request)
  let answer = ''
  for await (const chunk of socket) answer += chunk
  const [head = '', body = ''] = answer.split('\r\n\r\n')
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) }
}

describe('CORS', () => {
  const ORIGIN = 'http://shop.example'
  const preflight = (path: string, method: string) =>
    service.call('OPTIONS', path, {
      headers: {
        origin: ORIGIN,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization,content-type',
      },
    })

  it('lets a page of any origin call the API, as the original does, and read the fleet’s headers', async () => {
    const allowed = await preflight('/login', 'POST')
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('*')
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST')
    expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization,content-type')
    const read = await service.call('GET', '/health', { headers: { origin: ORIGIN } })
    expect(read.headers.get('access-control-allow-origin')).toBe('*')
    expect(read.headers.get('access-control-expose-headers')).toContain('X-Request-Id')
  })

  it('refuses other origins the chaos switches, before the browser sends the change', async () => {
    for (const path of ['/chaos/delay', '/chaos']) {
      const refused = await preflight(path, path === '/chaos' ? 'DELETE' : 'POST')
      expect(refused.status).toBe(404)
      expect(refused.headers.get('access-control-allow-origin')).toBeNull()
      expect(refused.body).toEqual(errorBody('ROUTE_NOT_FOUND'))
    }
    const read = await service.call('GET', '/chaos', { headers: { origin: ORIGIN } })
    expect(read.status).toBe(200)
    expect(read.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('requests Fastify never routes', () => {
  it('answers headers over Node’s limit 431 in the fleet’s error shape', async () => {
    const answer = await rawExchange(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    expect(answer).toEqual({ status: 431, body: errorBody('HEADERS_TOO_LARGE') })
  })

  it('answers what is not HTTP 400 BAD_REQUEST in the fleet’s error shape', async () => {
    const answer = await rawExchange('HELLO THERE\r\n\r\n')
    expect(answer).toEqual({ status: 400, body: errorBody('BAD_REQUEST') })
  })

  it('answers a URL that cannot be decoded 400 BAD_URL in the fleet’s error shape', async () => {
    const answer = await rawExchange('GET /users/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(answer).toEqual({ status: 400, body: errorBody('BAD_URL') })
  })
})

describe('request ids', () => {
  it('echoes a caller X-Request-Id and makes one up otherwise', async () => {
    const given = await service.call('GET', '/health/live', { headers: { 'x-request-id': 'trace-me-123' } })
    expect(given.headers.get('x-request-id')).toBe('trace-me-123')
    const made = await service.call('GET', '/health/live')
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('replaces a caller X-Request-Id that is too long or not plain, instead of echoing and logging it', async () => {
    for (const bad of ['x'.repeat(4000), 'a b', '"},"level":"fatal']) {
      const answer = await service.call('GET', '/health/live', { headers: { 'x-request-id': bad } })
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    }
  })
})

describe('API docs', () => {
  it('serves an OpenAPI document with every route, the Bearer scheme and the shared error schema', async () => {
    const { status, body } = await service.call('GET', '/docs/json')
    expect(status).toBe(200)
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/signup',
        '/login',
        '/validate',
        '/users/{id}',
        '/chaos',
        '/chaos/delay',
        '/chaos/error',
        '/health/live',
        '/health/ready',
      ]),
    )
    expect(body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(body.paths['/validate'].post.security).toEqual([{ bearerAuth: [] }])
    expect(body.components.schemas.ErrorResponse).toBeDefined()
    // Each answer says what it means there, for Swagger and ReDoc readers.
    expect(body.paths['/signup'].post.responses['400'].description).toMatch(/USERNAME_TAKEN \/ EMAIL_TAKEN/)
    expect(body.paths['/login'].post.responses['401'].description).toMatch(/^INVALID_CREDENTIALS/)
    expect(body.paths['/metrics']).toBeUndefined()
  })

  it('serves Swagger UI and ReDoc from local assets, no CDN', async () => {
    for (const path of ['/docs/', '/redoc']) {
      const response = await fetch(`${service.baseUrl}${path}`)
      expect(response.status).toBe(200)
      const html = await response.text()
      expect(html).toMatch(/<html/i)
      expect(html).not.toMatch(/src="https?:\/\//)
    }
    const bundle = await fetch(`${service.baseUrl}/redoc/redoc.standalone.js`)
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('content-type')).toMatch(/javascript/)
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000)
  })
})

describe('log file', () => {
  it('also writes JSON lines to LOG_FILE, for Promtail, without secrets', async () => {
    const file = join(tmpdir(), `fleet-logs-${process.pid}`, 'user.log')
    const logged = await startUserService({ LOG_LEVEL: 'info', LOG_FILE: file })
    await logged.createUser('file-secret-pass')
    await logged.close()
    let lines: { service?: string; route?: string }[] = []
    for (let i = 0; i < 50 && !lines.some((line) => line.route === '/login'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const text = await readFile(file, 'utf8').catch(() => '')
      expect(text).not.toContain('file-secret-pass')
      lines = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    }
    expect(lines).toContainEqual(
      expect.objectContaining({ service: 'user', route: '/login', msg: 'request completed' }),
    )
  })
})
