import type {} from '@food/health'
import type {} from '@food/metrics'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import { createCacheInstruments, JsonCache, type JsonCacheOptions } from './json-cache.ts'

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis
    /** A read-through cache for one kind of value, counted under `name` in the cache metrics. */
    createCache(options: JsonCacheOptions): JsonCache
  }
}

export interface RedisPluginOptions {
  url: string
  keyPrefix: string
  /** A command slower than this fails, so a slow Redis costs a bounded delay, then a fallback. */
  commandTimeoutMs: number
}

const redis: FastifyPluginAsync<RedisPluginOptions> = async (app, options) => {
  const client = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 2000,
    lazyConnect: true,
    // Fail fast while disconnected instead of queueing: callers fall back to the database.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // Commands issued in the same turn of the event loop go out in one write: under load, one
    // socket write per command was a quarter of a cached read's CPU (profiled, see Performance).
    enableAutoPipelining: true,
  })
  client.on('error', (error) => app.log.debug({ err: error }, 'redis connection error'))
  try {
    await client.connect()
  } catch (error) {
    app.log.warn({ err: error }, 'redis unavailable at start; caches fall back to the database until it answers')
  }

  const instruments = createCacheInstruments(app.metrics.registry)

  app.decorate('redis', client)
  app.decorate(
    'createCache',
    (cacheOptions: JsonCacheOptions) => new JsonCache(client, cacheOptions, instruments, app.log),
  )
  // Not required: every read falls back to PostgreSQL while Redis is away (see the caches).
  app.health.addCheck('redis', () => client.ping(), { required: false })
  app.addHook('onClose', async () => {
    client.disconnect()
  })
}

export const redisPlugin = fp(redis, {
  name: '@food/redis',
  fastify: '5.x',
  dependencies: ['@food/metrics', '@food/health'],
})
