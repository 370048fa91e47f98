import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FleetClient } from '../src/fleet/fleet-client.ts'
import { Recorder } from '../src/fleet/recorder.ts'

const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = []
const server = createServer((request, response) => {
  seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers })
  request.resume()
  response.setHeader('content-type', 'application/json').end('{}')
})
let base: string
beforeAll(async () => {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
})
afterAll(() => server.close())

describe('FleetClient', () => {
  it('shows the chaos token with chaos changes only, never with reads or other calls', async () => {
    const client = new FleetClient(
      { user: base, restaurant: base, order: base, restaurantInternal: base },
      new Recorder(),
      'the-chaos-token-0123',
    )
    await client.call('user', 'POST', '/chaos/delay', { json: { delay_ms: 1 } })
    await client.call('order', 'DELETE', '/chaos')
    await client.call('user', 'GET', '/chaos')
    await client.call('order', 'POST', '/orders', { json: {} })
    await client.close()
    expect(seen.map((request) => [request.method, request.url, request.headers['x-chaos-token']])).toEqual([
      ['POST', '/chaos/delay', 'the-chaos-token-0123'],
      ['DELETE', '/chaos', 'the-chaos-token-0123'],
      ['GET', '/chaos', undefined],
      ['POST', '/orders', undefined],
    ])
  })
})
