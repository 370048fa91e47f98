/**
 * The requests the original's k6 scripts send, as k6 sends them: `http.post(url, body, params)`
 * sends a string body as it is and form-encodes an object body (`{}` is an empty body, with the
 * script's own Content-Type header). The answer is read as k6 gives it to a script: a status and
 * the body as text, which the scripts `JSON.parse`.
 */
import { formEncode } from '@food/k6-runtime/form'

export interface K6Params {
  headers?: Record<string, string>
}

export interface K6Response {
  status: number
  body: string
  headers: Headers
}

// k6's form encoding, as the k6-compatible runtime does it (one definition of it).
const encode = (body: string | Record<string, string> | undefined): string | undefined =>
  body === undefined || typeof body === 'string' ? body : formEncode(body)

async function request(
  method: string,
  url: string,
  body: string | Record<string, string> | undefined,
  params: K6Params,
) {
  const headers = new Headers(params.headers)
  if (body !== undefined && typeof body !== 'string' && !headers.has('content-type')) {
    headers.set('content-type', 'application/x-www-form-urlencoded')
  }
  const response = await fetch(url, { method, headers, body: encode(body) })
  return { status: response.status, body: await response.text(), headers: response.headers } satisfies K6Response
}

export const http = {
  get: (url: string, params: K6Params = {}) => request('GET', url, undefined, params),
  post: (url: string, body: string | Record<string, string>, params: K6Params = {}) =>
    request('POST', url, body, params),
}
