/**
 * The run's traces (traces.jsonl): an OTLP/HTTP receiver the runner listens with while the run goes
 * (`--traces`). See docs/experiments.md#the-record-of-a-run.
 */
import { createWriteStream } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { hostAndPort } from '@food/fault-proxy'

interface OtlpSpan {
  traceId?: string
  startTimeUnixNano?: string | number
}
interface OtlpExport {
  resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[]
}

export interface TraceReceiver {
  /** Where it listens, host:port. */
  address: string
  /** Spans written so far, and exports refused (not JSON: a fleet sending protobuf). */
  readonly spans: number
  readonly refused: number
  /** Stops listening and closes the file. */
  close(): Promise<void>
}

/** Whether a trace is among the `sample` share kept: its id's first 32 bits, as a fraction. */
export const traceKept = (traceId: string, sample: number) =>
  sample >= 1 || Number.parseInt(traceId.slice(0, 8), 16) / 2 ** 32 < sample

/** The export with only the spans of the run (begun at `fromMs` or later) and of the kept traces. */
export function keptSpans(
  document: OtlpExport,
  fromMs: number,
  sample: number,
): { document: OtlpExport; spans: number } {
  let spans = 0
  const fromNs = BigInt(Math.floor(fromMs)) * 1_000_000n
  const resourceSpans = (document.resourceSpans ?? [])
    .map((resource) => ({
      ...resource,
      scopeSpans: (resource.scopeSpans ?? [])
        .map((scope) => {
          const kept = (scope.spans ?? []).filter(
            (span) => traceKept(span.traceId ?? '', sample) && BigInt(span.startTimeUnixNano ?? 0) >= fromNs,
          )
          spans += kept.length
          return { ...scope, spans: kept }
        })
        .filter((scope) => scope.spans.length > 0),
    }))
    .filter((resource) => resource.scopeSpans.length > 0)
  return { document: { ...document, resourceSpans }, spans }
}

/**
 * Listens on `listen` (`--traces 127.0.0.1:4318`, where a fleet started with
 * `OTEL_EXPORTER_OTLP_ENDPOINT` and `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` sends its spans). Each
 * export is written as one line, an OTLP JSON ExportTraceServiceRequest, as the OpenTelemetry
 * Collector's file exporter writes them; spans begun before the run are left out, and `sample` keeps
 * that share of the traces, chosen by trace id, so a trace is kept or left whole across the services.
 */
export async function startTraceReceiver(
  listen: string,
  file: string,
  options: { fromMs: number; sample: number },
): Promise<TraceReceiver> {
  const out = createWriteStream(file)
  let spans = 0
  let refused = 0
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end()
        return
      }
      let document: OtlpExport
      try {
        document = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        refused += 1
        response
          .writeHead(415, { 'content-type': 'text/plain' })
          .end('OTLP JSON only (OTEL_EXPORTER_OTLP_PROTOCOL=http/json)')
        return
      }
      const kept = keptSpans(document, options.fromMs, options.sample)
      if (kept.spans > 0) {
        out.write(`${JSON.stringify(kept.document)}\n`)
        spans += kept.spans
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  const { host, port } = hostAndPort(listen)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const bound = server.address() as AddressInfo
  return {
    address: `${bound.address}:${bound.port}`,
    get spans() {
      return spans
    },
    get refused() {
      return refused
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await new Promise<void>((resolve) => out.end(() => resolve()))
    },
  }
}
