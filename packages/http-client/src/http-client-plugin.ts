import type {} from '@food/metrics'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Histogram } from 'prom-client'
import { ServiceClient, type ServiceClientOptions } from './service-client.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** A client for another fleet service, measured in this app's metrics and closed with it. */
    serviceClient(options: Omit<ServiceClientOptions, 'instruments'>): ServiceClient
  }
}

const httpClients: FastifyPluginAsync = async (app) => {
  const registers = [app.metrics.registry]
  const instruments = {
    duration: new Histogram({
      name: 'http_client_request_duration_seconds',
      help: 'Calls to other fleet services, by target, method and status code (or timeout, unavailable)',
      labelNames: ['target', 'method', 'status_code'] as const,
      registers,
      enableExemplars: true,
    }),
    failures: new Counter({
      name: 'http_client_failures_total',
      help: 'Calls to other fleet services that got no usable answer, by target and kind (timeout, unavailable)',
      labelNames: ['target', 'kind'] as const,
      registers,
    }),
  }
  const clients: ServiceClient[] = []
  app.decorate('serviceClient', (options: Omit<ServiceClientOptions, 'instruments'>) => {
    const client = new ServiceClient({ ...options, instruments })
    clients.push(client)
    return client
  })
  app.addHook('onClose', async () => {
    await Promise.all(clients.map((client) => client.close()))
  })
}

export const httpClientPlugin = fp(httpClients, {
  name: '@food/http-client',
  fastify: '5.x',
  dependencies: ['@food/metrics'],
})
