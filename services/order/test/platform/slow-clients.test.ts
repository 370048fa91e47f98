import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { startRestaurantService } from '@food/restaurant-service/test-service'
import { startUserService } from '@food/user-service/test-service'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOrderService } from '../helpers/fleet.ts'

// Slow clients (slowloris: headers or body a byte at a time, or a body that never comes) against
// each real service: every deadline answers 408 in the fleet's error shape and closes the
// connection. Short deadlines, so the test takes seconds.
const DEADLINES = {
  HTTP_HEADERS_TIMEOUT_MS: '800',
  HTTP_BODY_TIMEOUT_MS: '1000',
  HTTP_REQUEST_TIMEOUT_MS: '5000',
  HTTP_KEEP_ALIVE_TIMEOUT_MS: '600',
  HTTP_MAX_CONNECTIONS: '8',
}

type Step = string | number

interface RawExchange {
  /** Everything the service sent before it closed the connection. */
  text: string
  /** Milliseconds from connecting to the service closing the connection. */
  closedAfterMs: number
}

/** Opens a raw TCP connection and sends each string (a number: waits that long) until the service closes it. */
async function exchange(port: number, steps: Step[], giveUpMs = 10_000): Promise<RawExchange> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const started = Date.now()
  let text = ''
  let closed = false
  socket.on('data', (chunk) => {
    text += chunk.toString('utf8')
  })
  socket.on('error', () => {})
  const done = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true
      resolve()
    }),
  )
  for (const step of steps) {
    if (closed) break
    if (typeof step === 'number') await sleep(step)
    else socket.write(step)
  }
  const giveUp = setTimeout(() => socket.destroy(), giveUpMs)
  await done
  clearTimeout(giveUp)
  return { text, closedAfterMs: Date.now() - started }
}

/** One byte of `text` every `everyMs`. */
const trickle = (text: string, everyMs: number): Step[] => [...text].flatMap((byte) => [byte, everyMs])

const errorCodeOf = (text: string): string | undefined => {
  const body = text.slice(text.indexOf('\r\n\r\n') + 4)
  return body ? JSON.parse(body).error?.code : undefined
}

const LOGIN_HEADERS = 'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'

/** A service started for the enclosing describe and closed after it, with its port. */
function runningService<Service extends { baseUrl: string; close(): Promise<void> }>(start: () => Promise<Service>) {
  const running = {} as { service: Service; port: number }
  beforeAll(async () => {
    running.service = await start()
    running.port = Number(new URL(running.service.baseUrl).port)
  })
  afterAll(() => running.service.close())
  return running
}

const services = [
  { name: 'user', start: startUserService, path: '/login' },
  { name: 'restaurant', start: startRestaurantService, path: '/menus' },
  { name: 'order', start: startOrderService, path: '/orders' },
] as const

describe.each(services)('the $name service and a slow client', ({ start, path }) => {
  const running = runningService<{ baseUrl: string; close(): Promise<void> }>(() => start(DEADLINES))

  it('answers 408 and closes when the body never arrives (Content-Length: 100, one byte sent)', async () => {
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`
    const { text, closedAfterMs } = await exchange(running.port, [head, '{'])
    expect(text).toMatch(/^HTTP\/1\.1 408 /)
    expect(text).toMatch(/connection: close/i)
    expect(errorCodeOf(text)).toBe('REQUEST_TIMEOUT')
    expect(closedAfterMs).toBeGreaterThanOrEqual(900)
    expect(closedAfterMs).toBeLessThan(4000)
  })

  it('answers 408 and closes when the headers come a byte at a time', async () => {
    const { text, closedAfterMs } = await exchange(
      running.port,
      trickle(`GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(100)}`, 50),
    )
    expect(text).toMatch(/^HTTP\/1\.1 408 /)
    expect(errorCodeOf(text)).toBe('REQUEST_TIMEOUT')
    expect(closedAfterMs).toBeLessThan(4000)
  })

  it('closes a connection on which nothing is ever sent', async () => {
    const { closedAfterMs } = await exchange(running.port, [])
    expect(closedAfterMs).toBeLessThan(4000)
  })
})

describe('the user service, each deadline on its own', () => {
  const running = runningService(() => startUserService(DEADLINES))

  it('answers 408 when the body comes a byte at a time, each byte well inside any idle timeout', async () => {
    const body = JSON.stringify({ username: 'user', password: 'pass'.repeat(10) })
    const head = `${LOGIN_HEADERS}Content-Length: ${body.length}\r\n\r\n`
    const { text, closedAfterMs } = await exchange(running.port, [head, ...trickle(body, 40)])
    expect(text).toMatch(/^HTTP\/1\.1 408 /)
    expect(errorCodeOf(text)).toBe('REQUEST_TIMEOUT')
    expect(closedAfterMs).toBeLessThan(body.length * 40)
  })

  it('counts the body deadline as a 408 of the route', async () => {
    const timeouts = async () =>
      Number(
        (await running.service.metrics()).match(
          /http_server_request_duration_seconds_count\{[^}]*route="\/login",status_code="408"\} (\d+)/,
        )?.[1] ?? 0,
      )
    const before = await timeouts()
    await exchange(running.port, [`${LOGIN_HEADERS}Content-Length: 10\r\n\r\n{`])
    expect(await timeouts()).toBe(before + 1)
  })

  it('still answers a client that sends its request promptly, on a kept-alive connection', async () => {
    const body = JSON.stringify({ username: 'nobody-here', password: 'wrong-password' })
    const request = `${LOGIN_HEADERS}Content-Length: ${body.length}\r\n\r\n${body}`
    // Two requests on one connection, then the service closes it once idle past its keep-alive.
    const { text, closedAfterMs } = await exchange(running.port, [request, 100, request])
    expect(text.match(/HTTP\/1\.1 401 /g)).toHaveLength(2)
    expect(text).toMatch(/keep-alive: timeout=\d+/i)
    expect(closedAfterMs).toBeGreaterThanOrEqual(600)
    expect(closedAfterMs).toBeLessThan(4000)
  })

  it(`holds at most HTTP_MAX_CONNECTIONS (${DEADLINES.HTTP_MAX_CONNECTIONS}) connections; a later one is closed at once`, async () => {
    const held: Socket[] = []
    try {
      for (let i = 0; i < Number(DEADLINES.HTTP_MAX_CONNECTIONS); i++) {
        const socket = connect(running.port, '127.0.0.1')
        socket.on('error', () => {})
        await once(socket, 'connect')
        held.push(socket)
      }
      await sleep(50)
      const { text, closedAfterMs } = await exchange(running.port, [
        'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      ])
      expect(text).toBe('')
      expect(closedAfterMs).toBeLessThan(500)
    } finally {
      for (const socket of held) socket.destroy()
    }
    await sleep(50)
    expect((await running.service.call('GET', '/health/live')).status).toBe(200)
  })
})

describe('the user service, the whole request’s deadline', () => {
  // A body deadline longer than the whole request's: the latter must strike on its own.
  const running = runningService(() =>
    startUserService({
      ...DEADLINES,
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_BODY_TIMEOUT_MS: '60000',
      HTTP_REQUEST_TIMEOUT_MS: '1500',
    }),
  )

  it('answers 408 when headers then body, each in time, take longer than the whole request may', async () => {
    const body = JSON.stringify({ username: 'user', password: 'p'.repeat(60) })
    const head = `${LOGIN_HEADERS}Content-Length: ${body.length}\r\n\r\n`
    const { text, closedAfterMs } = await exchange(running.port, [...trickle(head, 8), ...trickle(body, 30)])
    expect(text).toMatch(/^HTTP\/1\.1 408 /)
    expect(errorCodeOf(text)).toBe('REQUEST_TIMEOUT')
    expect(closedAfterMs).toBeGreaterThanOrEqual(1400)
    expect(closedAfterMs).toBeLessThan(body.length * 30)
  })
})
