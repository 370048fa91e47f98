/**
 * Toxiproxy's HTTP API (v2: /proxies, /proxies/{proxy}/toxics, /populate, /reset, /version) over
 * the fault proxies, so `toxiproxy-cli` and its client libraries (toxiproxy-node-client) work
 * against this fleet. Errors in Toxiproxy's shape, `{"error": …, "status": …}`, each naming what
 * was wrong: an unknown proxy, toxic, type, stream or attribute.
 */
import { type Static, Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import Fastify, { type FastifyInstance } from 'fastify'
import { FaultProxy, hostAndPort, type ProxyView } from './proxy.ts'
import { refusalOf } from './request-guard.ts'
import {
  DEFAULT_ATTRIBUTES,
  STREAMS,
  type Stream,
  TOXIC_ATTRIBUTES,
  TOXIC_TYPES,
  type Toxic,
  type ToxicType,
} from './toxics.ts'

/** The Toxiproxy release whose API this one speaks. */
export const TOXIPROXY_API_VERSION = '2.9.0'

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

const Address = Type.String({ minLength: 3, maxLength: 300, description: 'host:port' })
const ProxyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' }),
    listen: Address,
    upstream: Address,
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
/** This API's addition to Toxiproxy's: a fault that undoes itself, as the fleet's switches do. */
const TtlSeconds = Type.Optional(
  Type.Integer({
    minimum: 1,
    maximum: 86_400,
    description: 'removed (or, for enabled: false, enabled again) after this long',
  }),
)
const ProxyChange = Type.Object(
  {
    listen: Type.Optional(Address),
    upstream: Type.Optional(Address),
    enabled: Type.Optional(Type.Boolean()),
    ttl_s: TtlSeconds,
  },
  { additionalProperties: false },
)
const ToxicBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' })),
    type: Type.String(),
    stream: Type.Optional(Type.String()),
    toxicity: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    ttl_s: TtlSeconds,
  },
  { additionalProperties: false },
)
const ToxicChange = Type.Object(
  {
    stream: Type.Optional(Type.String()),
    toxicity: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
)
const Names = Type.Object({ proxy: Type.String(), toxic: Type.Optional(Type.String()) })

export interface ProxyPlane {
  proxies: Map<string, FaultProxy>
  /** Called after every change, e.g. to count it and log it. */
  onChange?: (change: string) => void
  /** Host names besides loopback and IP addresses that may reach the API (ALLOWED_HOSTS). */
  allowedHosts?: readonly string[]
}

const typeOf = (type: string): ToxicType => {
  if ((TOXIC_TYPES as string[]).includes(type)) return type as ToxicType
  throw new ApiError(400, `unknown toxic type "${type}" (it is one of ${TOXIC_TYPES.join(', ')})`)
}
const streamOf = (stream: string | undefined): Stream => {
  if (stream === undefined) return 'downstream'
  if ((STREAMS as readonly string[]).includes(stream)) return stream as Stream
  throw new ApiError(400, `unknown stream "${stream}" (upstream or downstream)`)
}
/** The toxic's attributes, each known to its type and of its kind; left out, Toxiproxy's zero. */
function attributesOf(type: ToxicType, given: Record<string, unknown> = {}, base = DEFAULT_ATTRIBUTES[type]) {
  const schema = TOXIC_ATTRIBUTES[type]
  const merged = { ...base, ...given }
  const error = Value.Errors(schema, merged).First()
  if (error) {
    const attribute = error.path.replace(/^\//, '')
    const properties = schema.properties as Record<string, { valid?: string }>
    const known = Object.keys(properties).join(', ')
    const valid = properties[attribute]?.valid
    throw new ApiError(
      400,
      attribute in properties
        ? `attribute "${attribute}" of ${type}: ${error.message}${valid ? ` (${valid})` : ''}`
        : `${type} has no attribute "${attribute}" (it has ${known})`,
    )
  }
  return merged as Toxic['attributes']
}

/** Builds the API (not listening): `app.listen({ port: 8474, host: '127.0.0.1' })`. */
export function buildToxiproxyApi(plane: ProxyPlane): FastifyInstance {
  const app = Fastify({ logger: false })
  const { proxies } = plane
  const changed = (change: string) => plane.onChange?.(change)
  const proxyNamed = (name: string) => {
    const proxy = proxies.get(name)
    if (!proxy) throw new ApiError(404, `proxy "${name}" not found`)
    return proxy
  }
  const toxicNamed = (proxy: FaultProxy, name: string) => {
    const toxic = proxy.toxic(name)
    if (!toxic) throw new ApiError(404, `toxic "${name}" not found on proxy "${proxy.name}"`)
    return toxic
  }
  const toxicView = (proxy: FaultProxy, name: string) =>
    proxy.view().toxics.find((toxic) => toxic.name === name) ?? toxicNamed(proxy, name)
  const create = async (body: Static<typeof ProxyBody>) => {
    hostAndPortOrBadRequest(body.listen, 'listen')
    hostAndPortOrBadRequest(body.upstream, 'upstream')
    const proxy = new FaultProxy(body)
    if (body.enabled !== false) {
      try {
        await proxy.enable()
      } catch (error) {
        throw new ApiError(409, `proxy "${body.name}" cannot listen on ${body.listen}: ${(error as Error).message}`)
      }
    }
    proxies.set(body.name, proxy)
    return proxy
  }

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown[] }, _request, reply) => {
    const status = error instanceof ApiError ? error.status : error.validation ? 400 : (error.statusCode ?? 500)
    reply.status(status).send({ error: error.message, status })
  })
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: `no route ${request.method} ${request.url}`, status: 404 })
  })
  // No web page may drive the faults: DNS rebinding and cross-site changes are refused (request-guard.ts).
  app.addHook('onRequest', async (request, reply) => {
    const refusal = refusalOf(
      { method: request.method, host: request.headers.host, origin: request.headers.origin },
      plane.allowedHosts ?? [],
    )
    if (refusal) return reply.status(403).send({ error: refusal.message, status: 403 })
  })

  app.get('/version', async (_request, reply) => reply.type('text/plain').send(TOXIPROXY_API_VERSION))

  app.get('/proxies', async () => Object.fromEntries([...proxies.values()].map((proxy) => [proxy.name, proxy.view()])))

  app.post<{ Body: Static<typeof ProxyBody> }>('/proxies', { schema: { body: ProxyBody } }, async (request, reply) => {
    if (proxies.has(request.body.name)) throw new ApiError(409, `proxy "${request.body.name}" already exists`)
    const proxy = await create(request.body)
    changed(`proxy ${proxy.name} created`)
    return reply.status(201).send(proxy.view())
  })

  // Creates or replaces each proxy; one whose addresses did not change is kept, with its toxics.
  app.post<{ Body: Static<typeof ProxyBody>[] }>(
    '/populate',
    { schema: { body: Type.Array(ProxyBody, { maxItems: 100 }) } },
    async (request, reply) => {
      const made: ProxyView[] = []
      for (const body of request.body) {
        const existing = proxies.get(body.name)
        if (existing && existing.view().listen === body.listen && existing.view().upstream === body.upstream) {
          await existing.update({ enabled: body.enabled ?? true })
          made.push(existing.view())
          continue
        }
        await existing?.disable()
        proxies.delete(body.name)
        made.push((await create(body)).view())
      }
      changed(`populated ${made.map((proxy) => proxy.name).join(', ')}`)
      return reply.status(201).send({ proxies: made })
    },
  )

  app.post('/reset', async (_request, reply) => {
    for (const proxy of proxies.values()) {
      for (const toxic of proxy.view().toxics) proxy.removeToxic(toxic.name)
      await proxy.enable()
    }
    changed('reset: every proxy enabled, every toxic removed')
    return reply.status(204).send()
  })

  app.get<{ Params: Static<typeof Names> }>('/proxies/:proxy', async (request) =>
    proxyNamed(request.params.proxy).view(),
  )

  app.post<{ Params: Static<typeof Names>; Body: Static<typeof ProxyChange> }>(
    '/proxies/:proxy',
    { schema: { body: ProxyChange } },
    async (request) => {
      const proxy = proxyNamed(request.params.proxy)
      if (request.body.listen) hostAndPortOrBadRequest(request.body.listen, 'listen')
      if (request.body.upstream) hostAndPortOrBadRequest(request.body.upstream, 'upstream')
      const { ttl_s: ttl, ...change } = request.body
      if (change.enabled === false && ttl !== undefined) {
        await proxy.update({ ...change, enabled: true })
        await proxy.down(ttl * 1000)
      } else await proxy.update(change)
      changed(`proxy ${proxy.name} updated: ${JSON.stringify(request.body)}`)
      return proxy.view()
    },
  )

  app.delete<{ Params: Static<typeof Names> }>('/proxies/:proxy', async (request, reply) => {
    const proxy = proxyNamed(request.params.proxy)
    await proxy.disable()
    proxies.delete(proxy.name)
    changed(`proxy ${proxy.name} deleted`)
    return reply.status(204).send()
  })

  app.get<{ Params: Static<typeof Names> }>(
    '/proxies/:proxy/toxics',
    async (request) => proxyNamed(request.params.proxy).view().toxics,
  )

  app.post<{ Params: Static<typeof Names>; Body: Static<typeof ToxicBody> }>(
    '/proxies/:proxy/toxics',
    { schema: { body: ToxicBody } },
    async (request) => {
      const proxy = proxyNamed(request.params.proxy)
      const type = typeOf(request.body.type)
      const stream = streamOf(request.body.stream)
      const name = request.body.name ?? `${type}_${stream}`
      if (proxy.toxic(name)) throw new ApiError(409, `toxic "${name}" already exists on proxy "${proxy.name}"`)
      const toxic: Toxic = {
        name,
        type,
        stream,
        toxicity: request.body.toxicity ?? 1,
        attributes: attributesOf(type, request.body.attributes),
      }
      const ttl = request.body.ttl_s
      proxy.setToxic(toxic, ttl === undefined ? undefined : ttl * 1000)
      changed(
        `toxic ${name} (${type}, ${stream}) added to ${proxy.name}: ${JSON.stringify(toxic.attributes)}${ttl ? ` for ${ttl} s` : ''}`,
      )
      return toxicView(proxy, name)
    },
  )

  app.get<{ Params: Static<typeof Names> }>('/proxies/:proxy/toxics/:toxic', async (request) =>
    toxicView(proxyNamed(request.params.proxy), request.params.toxic ?? ''),
  )

  app.post<{ Params: Static<typeof Names>; Body: Static<typeof ToxicChange> }>(
    '/proxies/:proxy/toxics/:toxic',
    { schema: { body: ToxicChange } },
    async (request) => {
      const proxy = proxyNamed(request.params.proxy)
      const toxic = toxicNamed(proxy, request.params.toxic ?? '')
      const updated: Toxic = {
        ...toxic,
        stream: request.body.stream === undefined ? toxic.stream : streamOf(request.body.stream),
        toxicity: request.body.toxicity ?? toxic.toxicity,
        attributes: attributesOf(toxic.type, request.body.attributes, toxic.attributes as never),
      }
      proxy.updateToxic(updated)
      changed(`toxic ${toxic.name} of ${proxy.name} updated: ${JSON.stringify(updated.attributes)}`)
      return toxicView(proxy, toxic.name)
    },
  )

  app.delete<{ Params: Static<typeof Names> }>('/proxies/:proxy/toxics/:toxic', async (request, reply) => {
    const proxy = proxyNamed(request.params.proxy)
    toxicNamed(proxy, request.params.toxic ?? '')
    proxy.removeToxic(request.params.toxic ?? '')
    changed(`toxic ${request.params.toxic} removed from ${proxy.name}`)
    return reply.status(204).send()
  })

  app.addHook('onClose', async () => {
    await Promise.all([...proxies.values()].map((proxy) => proxy.disable()))
  })
  return app
}

function hostAndPortOrBadRequest(address: string, field: string) {
  try {
    hostAndPort(address)
  } catch (error) {
    throw new ApiError(400, `${field}: ${(error as Error).message}`)
  }
}
