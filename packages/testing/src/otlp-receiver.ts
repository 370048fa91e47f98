import { once } from 'node:events'
import { createServer } from 'node:http'

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
type OtlpAttribute = { key: string; value: OtlpValue }

export interface ReceivedSpan {
  service: string
  namespace: string | undefined
  scope: string
  name: string
  /** OTLP's SpanKind: 2 is SERVER, 3 is CLIENT. */
  kind: number
  traceId: string
  spanId: string
  parentSpanId: string | undefined
  attributes: Record<string, unknown>
  events: { name: string; attributes: Record<string, unknown> }[]
}

const flatten = (attributes: OtlpAttribute[] = []) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]))

/**
 * An OTLP/HTTP receiver (JSON encoding: `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) that keeps
 * every span it is sent, so a test can read back the traces real services exported.
 */
export async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => {
      body += chunk
    })
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        // biome-ignore lint/suspicious/noExplicitAny: the OTLP JSON document, read field by field
        for (const resourceSpans of (JSON.parse(body) as any).resourceSpans ?? []) {
          const resource = flatten(resourceSpans.resource?.attributes)
          for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
            for (const span of scopeSpans.spans ?? []) {
              spans.push({
                service: String(resource['service.name']),
                namespace: resource['service.namespace'] as string | undefined,
                scope: scopeSpans.scope?.name ?? '',
                name: span.name,
                kind: span.kind,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId || undefined,
                attributes: flatten(span.attributes),
                events: (span.events ?? []).map((event: { name: string; attributes?: OtlpAttribute[] }) => ({
                  name: event.name,
                  attributes: flatten(event.attributes),
                })),
              })
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
