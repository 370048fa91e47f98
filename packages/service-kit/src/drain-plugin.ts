import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

export interface DrainPluginOptions {
  /** Longest wait for handlers still running when the service closes. */
  timeoutMs: number
}

/**
 * Holds `close()` until every handler has finished. Fastify waits for open connections, but a
 * client that gave up (a timeout upstream, Ctrl-C in a load test) closes its connection while
 * the handler still runs: without this, Redis and PostgreSQL would close under it, and its
 * cache invalidation or its next query would fail.
 */
const drain: FastifyPluginAsync<DrainPluginOptions> = async (app, options) => {
  const running = new Set<string>()
  const inHandler = new Set<string>()
  let drained: (() => void) | undefined
  const finish = (id: string) => {
    running.delete(id)
    inHandler.delete(id)
    if (running.size === 0) drained?.()
  }

  app.addHook('onRequest', async (request) => {
    running.add(request.id)
  })
  app.addHook('preHandler', async (request) => {
    running.add(request.id)
    inHandler.add(request.id)
  })
  // Aborted before its handler: Fastify will not run it (its body never arrives).
  app.addHook('onRequestAbort', async (request) => {
    if (!inHandler.has(request.id)) finish(request.id)
  })
  // onSend runs when the handler (or the error handler) produced its answer, socket or not.
  app.addHook('onSend', async (request) => finish(request.id))
  app.addHook('onResponse', async (request) => finish(request.id))

  // preClose: new requests already get 503 (return503OnClosing); pools are still open.
  app.addHook('preClose', async () => {
    if (running.size === 0) return
    app.log.info({ running: running.size }, 'waiting for running requests before closing')
    await Promise.race([
      new Promise<void>((resolve) => {
        drained = resolve
      }),
      sleep(options.timeoutMs, undefined, { ref: false }),
    ])
  })
}

export const drainPlugin = fp(drain, { name: '@food/drain', fastify: '5.x' })
