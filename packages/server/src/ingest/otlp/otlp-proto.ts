// The OTLP trace messages and google.rpc.Status as a protobufjs reflection root. It only
// describes messages; decoding them into spans is otlp-decode.ts's job.
//
// Why protobufjs with a JSON descriptor: @opentelemetry/otlp-transformer (0.2xx) only *writes*
// export requests and reads export responses with its own small writer/reader; it has no
// request decoder. protobufjs is the maintained protobuf runtime for JavaScript; a descriptor
// built here (field names and numbers from opentelemetry-proto's trace, common, resource and
// trace_service .proto files, and googleapis' status.proto / error_details.proto) needs no
// code generation step and no .proto files at run time. Unknown fields are skipped by the
// decoder, as proto3 requires, so newer exporters keep working.
import protobuf from 'protobufjs';

const descriptor: protobuf.INamespace = {
  nested: {
    opentelemetry: { nested: { proto: { nested: {
      common: { nested: { v1: { nested: {
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        InstrumentationScope: {
          fields: {
            name: { type: 'string', id: 1 },
            version: { type: 'string', id: 2 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
            droppedAttributesCount: { type: 'uint32', id: 4 },
          },
        },
      } } } },
      resource: { nested: { v1: { nested: {
        Resource: {
          fields: {
            attributes: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id: 1 },
            droppedAttributesCount: { type: 'uint32', id: 2 },
          },
        },
      } } } },
      trace: { nested: { v1: { nested: {
        ResourceSpans: {
          fields: {
            resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
            scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        ScopeSpans: {
          fields: {
            scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
            spans: { rule: 'repeated', type: 'Span', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            parentSpanId: { type: 'bytes', id: 4 },
            flags: { type: 'fixed32', id: 16 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id: 9 },
            droppedAttributesCount: { type: 'uint32', id: 10 },
            events: { rule: 'repeated', type: 'Event', id: 11 },
            droppedEventsCount: { type: 'uint32', id: 12 },
            links: { rule: 'repeated', type: 'Link', id: 13 },
            droppedLinksCount: { type: 'uint32', id: 14 },
            status: { type: 'Status', id: 15 },
          },
          nested: {
            Event: {
              fields: {
                timeUnixNano: { type: 'fixed64', id: 1 },
                name: { type: 'string', id: 2 },
                attributes: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id: 3 },
                droppedAttributesCount: { type: 'uint32', id: 4 },
              },
            },
            Link: {
              fields: {
                traceId: { type: 'bytes', id: 1 },
                spanId: { type: 'bytes', id: 2 },
                traceState: { type: 'string', id: 3 },
                attributes: { rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id: 4 },
                droppedAttributesCount: { type: 'uint32', id: 5 },
                flags: { type: 'fixed32', id: 6 },
              },
            },
          },
        },
        // Span kind and status code are enums on the wire; int32 decodes them identically and
        // keeps unknown future values instead of failing.
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
      } } } },
      collector: { nested: { trace: { nested: { v1: { nested: {
        ExportTraceServiceRequest: {
          fields: { resourceSpans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1 } },
        },
        ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
        ExportTracePartialSuccess: {
          fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
        },
      } } } } } },
    } } } },
    google: { nested: {
      protobuf: { nested: {
        Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
        Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
      } },
      rpc: { nested: {
        Status: {
          fields: {
            code: { type: 'int32', id: 1 },
            message: { type: 'string', id: 2 },
            details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
          },
        },
        BadRequest: {
          fields: { fieldViolations: { rule: 'repeated', type: 'FieldViolation', id: 1 } },
          nested: {
            FieldViolation: { fields: { field: { type: 'string', id: 1 }, description: { type: 'string', id: 2 } } },
          },
        },
        ErrorInfo: { fields: { reason: { type: 'string', id: 1 }, domain: { type: 'string', id: 2 } } },
        RetryInfo: { fields: { retryDelay: { type: 'google.protobuf.Duration', id: 1 } } },
      } },
    } },
  },
};

const root = protobuf.Root.fromJSON(descriptor);

export const ExportTraceServiceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
export const RpcStatus = root.lookupType('google.rpc.Status');
export const BadRequest = root.lookupType('google.rpc.BadRequest');
export const ErrorInfo = root.lookupType('google.rpc.ErrorInfo');
export const RetryInfo = root.lookupType('google.rpc.RetryInfo');

/** Type URLs of the detail messages, as google.protobuf.Any names them. */
export const TYPE_URL = {
  badRequest: 'type.googleapis.com/google.rpc.BadRequest',
  errorInfo: 'type.googleapis.com/google.rpc.ErrorInfo',
  retryInfo: 'type.googleapis.com/google.rpc.RetryInfo',
} as const;

// Shapes of decoded messages (protobufjs fills defaults on the prototype; 64-bit fields are
// Long objects, or numbers when long.js is absent).
export interface Int64Like {
  toNumber(): number;
}
export type Int64 = number | Int64Like;

export interface PbAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values: PbAnyValue[] };
  kvlistValue?: { values: PbKeyValue[] };
  bytesValue?: Uint8Array;
  value?: string;
}
export interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
export interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: Int64;
  endTimeUnixNano: Int64;
  attributes: PbKeyValue[];
  events: { timeUnixNano: Int64; name: string; attributes: PbKeyValue[] }[];
  status?: { message: string; code: number } | null;
}
export interface PbRequest {
  resourceSpans: {
    resource?: { attributes: PbKeyValue[] } | null;
    scopeSpans: { scope?: { name: string } | null; spans: PbSpan[] }[];
  }[];
}
