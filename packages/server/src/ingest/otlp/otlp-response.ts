// OTLP/HTTP response bodies: ExportTraceServiceResponse on 200, google.rpc.Status on 4xx/5xx, in
// the request's encoding (binary protobuf or JSON). Vigil's error code travels as a
// google.rpc.ErrorInfo reason, and bad fields as a google.rpc.BadRequest.
import { BadRequest, ErrorInfo, ExportTraceServiceResponse, RetryInfo, RpcStatus, TYPE_URL } from './otlp-proto.js';

export type OtlpEncoding = 'protobuf' | 'json';

export const CONTENT_TYPE: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** gRPC status codes by HTTP status (OTLP clients ignore Status.code; it is for people). */
const GRPC_CODE: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  405: 12, // UNIMPLEMENTED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

/** The encoding a request asked for; anything but protobuf is answered in JSON, which people can read. */
export function encodingOf(contentType: string | undefined): OtlpEncoding {
  return contentType?.split(';')[0]?.trim().toLowerCase() === CONTENT_TYPE.protobuf ? 'protobuf' : 'json';
}

export function exportResponse(encoding: OtlpEncoding, rejectedSpans: number, errorMessage: string): Uint8Array | string {
  // A full success leaves partial_success unset, as the specification requires.
  if (rejectedSpans === 0 && errorMessage === '') {
    return encoding === 'json' ? '{}' : ExportTraceServiceResponse.encode({}).finish();
  }
  if (encoding === 'json') {
    return JSON.stringify({ partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } });
  }
  return ExportTraceServiceResponse.encode({ partialSuccess: { rejectedSpans, errorMessage } }).finish();
}

export interface StatusInput {
  httpStatus: number;
  /** Vigil's error code (http/errors.ts). */
  reason: string;
  message: string;
  violations?: { field: string; description: string }[];
  retryAfterSeconds?: number;
}

export function statusBody(encoding: OtlpEncoding, s: StatusInput): Uint8Array | string {
  const code = GRPC_CODE[s.httpStatus] ?? 13; // INTERNAL
  const errorInfo = { reason: s.reason, domain: 'vigil' };
  const badRequest = s.violations && s.violations.length > 0 ? { fieldViolations: s.violations } : null;
  const retry = s.retryAfterSeconds !== undefined ? { retryDelay: { seconds: s.retryAfterSeconds, nanos: 0 } } : null;
  if (encoding === 'json') {
    const details: Record<string, unknown>[] = [{ '@type': TYPE_URL.errorInfo, ...errorInfo }];
    if (badRequest) details.push({ '@type': TYPE_URL.badRequest, ...badRequest });
    if (retry) details.push({ '@type': TYPE_URL.retryInfo, retryDelay: `${s.retryAfterSeconds}s` });
    return JSON.stringify({ code, message: s.message, details });
  }
  const details: { typeUrl: string; value: Uint8Array }[] = [{ typeUrl: TYPE_URL.errorInfo, value: ErrorInfo.encode(errorInfo).finish() }];
  if (badRequest) details.push({ typeUrl: TYPE_URL.badRequest, value: BadRequest.encode(badRequest).finish() });
  if (retry) details.push({ typeUrl: TYPE_URL.retryInfo, value: RetryInfo.encode(retry).finish() });
  return RpcStatus.encode({ code, message: s.message, details }).finish();
}
