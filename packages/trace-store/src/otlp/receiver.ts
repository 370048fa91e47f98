/**
 * The OTLP/HTTP trace receiver (`POST /v1/traces`), answering as a collector does: 200 with an
 * ExportTraceServiceResponse in the request's encoding (partialSuccess naming the spans refused),
 * 400 for a body that is no export request, 413 past maxBodyBytes, 415 for another content type
 * or encoding. Error bodies: google.rpc.Status in protobuf for a protobuf request (as OTLP/HTTP
 * says), the fleet's error shape otherwise. Every refusal is counted; none stops the receiver.
 */
import type { IncomingMessage } from 'node:http'
import { AppError, errorBody } from '@food/errors'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify'
import type { TraceStoreMetrics } from '../metrics.ts'
import type { TraceStore } from '../store/store.ts'
import { readBody } from './body.ts'
import { MalformedRequest, type Normalized, normalizeRequest } from './normalize.ts'
import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus } from './proto.ts'

const PROTOBUF = 'application/x-protobuf'
const JSON_TYPE = 'application/json'

export interface ReceiverOptions {
  store: TraceStore
  metrics: TraceStoreMetrics
  maxBodyBytes: number
}

const isProtobuf = (request: FastifyRequest) => request.headers['content-type']?.toLowerCase().startsWith(PROTOBUF)

// The reason label of a refusal, from its status (415 says which of the two).
const REASONS: Record<number, string> = { 400: 'malformed', 413: 'too_large', 415: 'unsupported_media_type' }
// gRPC's codes, which google.rpc.Status carries: INVALID_ARGUMENT, RESOURCE_EXHAUSTED, INTERNAL.
const GRPC_CODES: Record<number, number> = { 400: 3, 413: 8, 415: 3 }

function decode(body: Buffer, protobuf: boolean): Normalized {
  let request: unknown
  try {
    request = protobuf ? ExportTraceServiceRequest.decode(body) : JSON.parse(body.toString('utf8'))
  } catch (error) {
    const what = protobuf ? 'a protobuf ExportTraceServiceRequest' : 'JSON'
    throw new AppError(400, 'MALFORMED_BODY', `The body is not ${what}: ${(error as Error).message}`)
  }
  try {
    return normalizeRequest(request)
  } catch (error) {
    if (error instanceof MalformedRequest)
      throw new AppError(400, 'MALFORMED_BODY', `Not an export request: ${error.message}`)
    // A value nested past the stack is malformed too, not the receiver's end.
    if (error instanceof RangeError) throw new AppError(400, 'MALFORMED_BODY', 'The body nests too deep')
    throw error
  }
}

/** The receiver (not listening): `app.listen({ host: '127.0.0.1', port: 4318 })`. */
export function buildReceiver({ store, metrics, maxBodyBytes }: ReceiverOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: maxBodyBytes })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser([PROTOBUF, JSON_TYPE], async (request: FastifyRequest, payload: IncomingMessage) =>
    readBody(payload, request.headers, maxBodyBytes),
  )

  app.post('/v1/traces', async (request, reply) => {
    const protobuf = isProtobuf(request)
    if (!Buffer.isBuffer(request.body)) {
      throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the spans as ${PROTOBUF} or ${JSON_TYPE}`)
    }
    const { batches, accepted, rejected, firstRejection } = decode(request.body, protobuf === true)
    store.ingest(batches)
    metrics.spansReceived.inc(accepted)
    let refused = 0
    for (const [reason, count] of rejected) {
      metrics.spansRefused.inc({ reason }, count)
      refused += count
    }
    const partialSuccess = refused > 0 ? { rejectedSpans: refused, errorMessage: firstRejection ?? '' } : undefined
    if (protobuf) {
      const message = ExportTraceServiceResponse.fromObject(partialSuccess ? { partialSuccess } : {})
      return reply.type(PROTOBUF).send(Buffer.from(ExportTraceServiceResponse.encode(message).finish()))
    }
    // OTLP JSON writes 64-bit integers as strings.
    return reply
      .type(JSON_TYPE)
      .send(partialSuccess ? { partialSuccess: { ...partialSuccess, rejectedSpans: String(refused) } } : {})
  })

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    let status = error.statusCode ?? 500
    let code = error instanceof AppError ? error.code : 'INTERNAL_ERROR'
    let message = status >= 500 ? 'Internal server error' : error.message
    if ((error as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      code = 'UNSUPPORTED_MEDIA_TYPE'
      message = `Content-Type \`${request.headers['content-type'] ?? '(none)'}\` is not an OTLP encoding: send ${PROTOBUF} or ${JSON_TYPE}`
    } else if (!(error instanceof AppError) && status < 500) {
      code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST'
    }
    if (status >= 400 && status < 500) {
      const reason = code === 'UNSUPPORTED_ENCODING' ? 'unsupported_encoding' : (REASONS[status] ?? 'malformed')
      metrics.requestsRefused.inc({ reason })
    } else status = 500
    if (isProtobuf(request)) {
      const body = RpcStatus.encode(RpcStatus.fromObject({ code: GRPC_CODES[status] ?? 13, message })).finish()
      return reply.code(status).type(PROTOBUF).send(Buffer.from(body))
    }
    return reply.code(status).send(errorBody(code, message))
  })

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          'ROUTE_NOT_FOUND',
          `Route ${request.method} ${request.url} not found: this receiver takes POST /v1/traces`,
        ),
      ),
  )
  return app
}
