/**
 * An export request's body, read whole within a bound: refused at once when its Content-Length
 * says it is too large, else counted while it streams, and counted again once decompressed
 * (gzip or deflate, as collectors take), so a small gzip bomb is refused like a large body.
 * A refused body is left to drain, not cut: the client still reads its 413.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { createGunzip, createInflate } from 'node:zlib'
import { AppError, badRequest } from '@food/errors'

const tooLarge = (limit: number) =>
  new AppError(413, 'PAYLOAD_TOO_LARGE', `The export request is larger than ${limit} bytes (maxBodyBytes)`)

function decoderFor(encoding: string | undefined) {
  const name = (encoding ?? 'identity').trim().toLowerCase()
  if (name === 'identity' || name === '') return undefined
  if (name === 'gzip' || name === 'x-gzip') return createGunzip()
  if (name === 'deflate') return createInflate()
  throw new AppError(
    415,
    'UNSUPPORTED_ENCODING',
    `Content-Encoding \`${encoding}\` is not supported: send the body as is, or gzip or deflate it`,
  )
}

/** The body, decompressed; an AppError (413, 415, 400) when it is too large, encoded unknowingly or corrupt. */
export function readBody(stream: Readable, headers: IncomingHttpHeaders, limit: number): Promise<Buffer> {
  const declared = Number(headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    stream.resume()
    return Promise.reject(tooLarge(limit))
  }
  const decoder = decoderFor(headers['content-encoding'])
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let raw = 0
    let size = 0
    let settled = false
    const settle = (error: Error | undefined) => {
      if (settled) return
      settled = true
      stream.removeAllListeners('data')
      decoder?.destroy()
      if (error) {
        // What is left of the body is read and thrown away, so the answer reaches the client.
        stream.resume()
        reject(error)
      } else resolve(Buffer.concat(chunks, size))
    }
    const take = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) settle(tooLarge(limit))
      else chunks.push(chunk)
    }
    stream.on('error', (error) => settle(error))
    if (decoder === undefined) {
      stream.on('data', take)
      stream.on('end', () => settle(undefined))
      return
    }
    decoder.on('data', take)
    decoder.on('end', () => settle(undefined))
    decoder.on('error', (error: NodeJS.ErrnoException) =>
      settle(badRequest('MALFORMED_BODY', `The body is not valid ${headers['content-encoding']}: ${error.message}`)),
    )
    stream.on('data', (chunk: Buffer) => {
      raw += chunk.length
      if (raw > limit) settle(tooLarge(limit))
      else decoder.write(chunk)
    })
    stream.on('end', () => decoder.end())
  })
}
