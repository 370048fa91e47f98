/**
 * The OTLP protobuf messages, from the official .proto files (proto/, copied from
 * opentelemetry-proto), loaded with protobufjs: the export request and response, TracesData (what
 * Tempo's trace-by-id answers in protobuf), and google.rpc.Status (OTLP/HTTP's error body).
 */
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'

const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url))

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root()
  // Imports name paths from the proto root (`opentelemetry/proto/common/v1/common.proto`).
  root.resolvePath = (_origin, target) => PROTO_DIR + target
  root.loadSync([
    'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    'opentelemetry/proto/trace/v1/trace.proto',
  ])
  // google.rpc.Status, as googleapis defines it; `details` (Any) is left out: nobody reads it here.
  root.add(
    new protobuf.Namespace('google').add(
      new protobuf.Namespace('rpc').add(
        new protobuf.Type('Status')
          .add(new protobuf.Field('code', 1, 'int32'))
          .add(new protobuf.Field('message', 2, 'string')),
      ),
    ),
  )
  // Tempo's `/api/v2/traces` protobuf answer: `TraceByIDResponse { Trace trace = 1; }`, whose Trace
  // is wire-identical to TracesData (field 1: repeated ResourceSpans).
  root.add(
    new protobuf.Namespace('tempopb').add(
      new protobuf.Type('TraceByIDResponse').add(
        new protobuf.Field('trace', 1, 'opentelemetry.proto.trace.v1.TracesData'),
      ),
    ),
  )
  root.resolveAll()
  return root
}

const root = loadRoot()
export const ExportTraceServiceRequest = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
)
export const ExportTraceServiceResponse = root.lookupType(
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
)
export const TracesData = root.lookupType('opentelemetry.proto.trace.v1.TracesData')
export const TraceByIDResponse = root.lookupType('tempopb.TraceByIDResponse')
export const RpcStatus = root.lookupType('google.rpc.Status')
