import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { bodyWithDeadline, serverDeadlines } from '../src/request-deadlines.ts'

const config = {
  HTTP_HEADERS_TIMEOUT_MS: 10_000,
  HTTP_BODY_TIMEOUT_MS: 10_000,
  HTTP_REQUEST_TIMEOUT_MS: 30_000,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 72_000,
  HTTP_MAX_CONNECTIONS: 1024,
}

describe('serverDeadlines', () => {
  it('hands Node the headers’ and the whole request’s deadlines, and the keep-alive', () => {
    expect(serverDeadlines(config)).toEqual({
      requestTimeout: 30_000,
      keepAliveTimeout: 72_000,
      http: { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1000 },
    })
  })

  it.each([
    [100, 100],
    [800, 100],
    [2500, 250],
    [600_000, 1000],
  ])('looks for expired connections often enough for a %i ms headers deadline (every %i ms)', (headers, every) => {
    expect(serverDeadlines({ ...config, HTTP_HEADERS_TIMEOUT_MS: headers }).http.connectionsCheckingInterval).toBe(
      every,
    )
  })
})

describe('bodyWithDeadline', () => {
  it('passes a body that ends in time through unchanged', async () => {
    const body = bodyWithDeadline(Readable.from([Buffer.from('{"a"'), Buffer.from(':1}')]), 1000)
    const chunks: Buffer[] = []
    for await (const chunk of body) chunks.push(chunk)
    expect(Buffer.concat(chunks).toString()).toBe('{"a":1}')
  })

  it('fails with 408 REQUEST_TIMEOUT when the body has not ended in time', async () => {
    const stalled = new Readable({ read() {} })
    stalled.push('{')
    const body = bodyWithDeadline(stalled, 50)
    body.resume()
    const error = await new Promise((resolve) => body.once('error', resolve))
    expect(error).toMatchObject({ statusCode: 408, code: 'REQUEST_TIMEOUT' })
  })
})

describe('a body no one reads any more', () => {
  it('is let go without an error no one listens for (which would bring the process down)', async () => {
    const stalled = new Readable({ read() {} })
    stalled.push('{')
    const body = bodyWithDeadline(stalled, 50)
    // No reader, no error listener: the answer went before the body was read.
    const uncaught: unknown[] = []
    const record = (error: unknown) => uncaught.push(error)
    process.on('uncaughtException', record)
    await new Promise((resolve) => setTimeout(resolve, 150))
    process.off('uncaughtException', record)
    expect(uncaught).toEqual([])
    expect(body.destroyed).toBe(true)
  })
})
