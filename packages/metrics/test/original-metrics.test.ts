import type { FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { endpointOf } from '../src/original-metrics.ts'

const requestTo = (url: string | undefined) => ({ routeOptions: { url } }) as unknown as FastifyRequest

describe('endpointOf', () => {
  it.each([
    ['/menus', '/menus'],
    ['/users/:id', '/users/{id}'],
    ['/orders/:id/cancel', '/orders/{id}/cancel'],
    ['/inventory/:menuId', '/inventory/{menuId}'],
  ])('writes the route %s as the original’s endpoint %s', (route, endpoint) => {
    expect(endpointOf(requestTo(route))).toBe(endpoint)
  })

  it('puts every unrouted request in one series', () => {
    expect(endpointOf(requestTo(undefined))).toBe('unmatched')
  })
})
