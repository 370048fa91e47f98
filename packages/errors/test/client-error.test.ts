import { describe, expect, it } from 'vitest'
import { clientErrorResponse } from '../src/client-error.ts'

const parse = (raw: string) => {
  const [head = '', body = ''] = raw.split('\r\n\r\n')
  const [statusLine = '', ...headers] = head.split('\r\n')
  const length = headers.find((header) => header.startsWith('Content-Length: '))?.slice('Content-Length: '.length)
  return { statusLine, length: Number(length), body }
}

describe('clientErrorResponse', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 'HTTP/1.1 431 Request Header Fields Too Large', 'HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'HTTP/1.1 408 Request Timeout', 'REQUEST_TIMEOUT'],
    ['HPE_INVALID_METHOD', 'HTTP/1.1 400 Bad Request', 'BAD_REQUEST'],
    [undefined, 'HTTP/1.1 400 Bad Request', 'BAD_REQUEST'],
  ])('answers %s with %s and the fleet’s error body', (code, statusLine, fleetCode) => {
    const error = Object.assign(new Error('parse error'), code === undefined ? {} : { code })
    const answer = parse(clientErrorResponse(error))
    expect(answer.statusLine).toBe(statusLine)
    expect(answer.length).toBe(Buffer.byteLength(answer.body))
    const body = JSON.parse(answer.body)
    expect(body).toEqual({ error: { code: fleetCode, message: expect.any(String) }, detail: body.error.message })
  })
})
