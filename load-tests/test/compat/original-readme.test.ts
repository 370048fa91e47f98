/**
 * The curl commands of the original sample’s README, run with curl as written (only the host
 * ports and the `{토큰}` / `{order_id}` placeholders filled in), against this fleet.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type OriginalFleet, startOriginalFleet } from './original-fleet.ts'

const run = promisify(execFile)

let original: OriginalFleet
beforeAll(async () => {
  original = await startOriginalFleet()
})
afterAll(() => original?.close())

/** Runs a README command through the shell, silently, and reads the status curl got. */
async function curl(command: string, placeholders: Record<string, string | number> = {}) {
  let line = command.replace(/http:\/\/localhost:(800[123])/g, (_, port) => original.at(Number(port) as 8001, ''))
  for (const [name, value] of Object.entries(placeholders)) line = line.replaceAll(`{${name}}`, String(value))
  const { stdout } = await run('bash', ['-c', `${line} -s -w '\\n%{http_code}'`], {
    encoding: 'utf8',
  })
  const lines = (stdout as string).split('\n')
  const status = Number(lines.pop())
  const text = lines.join('\n')
  return { status, body: text ? JSON.parse(text) : undefined }
}

const LOGIN = `curl -X POST http://localhost:8001/login -H "Content-Type: application/json" -d '{"username": "user", "password": "pass"}'`
const ORDER = `curl -X POST http://localhost:8003/orders -H "Authorization: Bearer {토큰}" -H "Content-Type: application/json" -d '{
  "items": [{"menu_id": 1, "quantity": 2}],
  "address": "서울시 강남구 123-45",
  "phone": "010-1234-5678"
}'`

describe('the original README’s curls', () => {
  it('logs in as the original sample’s user with JSON and orders with the token (201)', async () => {
    const login = await curl(LOGIN)
    expect(login.status).toBe(200)
    expect(login.body).toMatchObject({ access_token: expect.any(String), token_type: 'bearer' })
    const order = await curl(ORDER, { 토큰: login.body.access_token })
    expect(order.status).toBe(201)
    expect(order.body).toMatchObject({ status: 'CONFIRMED', items: [{ menu_id: 1, quantity: 2, name: '김치찌개' }] })
  })

  it('sets 30% payment failures, then orders answer 201 CONFIRMED or FAILED', async () => {
    const chaos = await curl(
      `curl -X POST http://localhost:8003/chaos/payment_fail -H "Content-Type: application/json" -d '{"fail_percent": 30}'`,
    )
    expect(chaos.status).toBe(200)
    const token = (await curl(LOGIN)).body.access_token
    for (let i = 0; i < 5; i++) {
      const order = await curl(ORDER, { 토큰: token })
      expect(order.status).toBe(201)
      expect(['CONFIRMED', 'FAILED']).toContain(order.body.status)
    }
    await curl(`curl -X DELETE http://localhost:8003/chaos`)
  })

  it('cancels and reads an order only with its owner’s token (a documented difference): 401 with detail without', async () => {
    const token = (await curl(LOGIN)).body.access_token
    const order = (await curl(ORDER, { 토큰: token })).body
    // As written in the original README: no token. The original cancels anyone's order; here 401.
    const anonymousCancel = await curl(`curl -X POST http://localhost:8003/orders/{order_id}/cancel`, {
      order_id: order.id,
    })
    expect(anonymousCancel.status).toBe(401)
    expect(anonymousCancel.body).toMatchObject({ error: { code: 'TOKEN_MISSING' }, detail: expect.any(String) })
    const anonymousRead = await curl(`time curl http://localhost:8003/orders/{order_id}`, { order_id: order.id })
    expect(anonymousRead.status).toBe(401)
    // With the header the Differences table says to add, both work; the second read is cached.
    const withToken = `-H "Authorization: Bearer ${token}"`
    const first = await curl(`time curl http://localhost:8003/orders/{order_id} ${withToken}`, { order_id: order.id })
    expect(first).toMatchObject({ status: 200, body: { id: order.id, status: 'CONFIRMED' } })
    const cancel = await curl(`curl -X POST http://localhost:8003/orders/{order_id}/cancel ${withToken}`, {
      order_id: order.id,
    })
    expect(cancel).toMatchObject({
      status: 200,
      body: { status: 'CANCELLED', message: 'Order cancelled successfully' },
    })
  })

  it('switches the latency and error faults of the performance example on, and they clear', async () => {
    const commands = [
      `curl -X POST http://localhost:8001/chaos/delay -H "Content-Type: application/json" -d '{"delay_ms": 2000}'`,
      `curl -X POST http://localhost:8002/chaos/inventory_delay -H "Content-Type: application/json" -d '{"delay_ms": 3000}'`,
      `curl -X POST http://localhost:8001/chaos/error -H "Content-Type: application/json" -d '{"enable": true}'`,
    ]
    try {
      for (const command of commands) {
        const answer = await curl(command)
        expect(answer.status).toBe(200)
        expect(answer.body.message).toEqual(expect.any(String))
      }
      const faults = (await original.fleet.user.call('GET', '/chaos')).body.faults
      expect(faults).toMatchObject({ delay: { value: 2000 }, error: { value: true } })
    } finally {
      await Promise.all([
        curl('curl -X DELETE http://localhost:8001/chaos'),
        curl('curl -X DELETE http://localhost:8002/chaos'),
      ])
    }
  })

  it('serves Swagger UI and ReDoc on every service, and /validate takes ?delay=', async () => {
    for (const port of [8001, 8002, 8003]) {
      for (const page of ['docs', 'redoc']) {
        const { stdout } = await run('curl', [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          original.at(port as 8001, `/${page}`),
        ])
        expect(`${port}/${page} ${stdout}`).toBe(`${port}/${page} 200`)
      }
    }
    const token = (await curl(LOGIN)).body.access_token
    const started = Date.now()
    const slow = await curl(
      `curl -X POST "http://localhost:8001/validate?delay=2000" -H "Authorization: Bearer ${token}"`,
    )
    expect(slow).toMatchObject({ status: 200, body: { valid: true, username: 'user' } })
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000)
  })
})
