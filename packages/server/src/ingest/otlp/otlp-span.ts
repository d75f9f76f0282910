// A decoded OTLP span, the same whichever encoding it arrived in. Decoders (otlp-decode.ts)
// produce it; span-facts.ts reads it. Times are epoch milliseconds (fractions kept).

/** An attribute value; kvlist values become plain objects, bytes become base64 text. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

export interface RawSpan {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** 16 lowercase hex characters, or '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  attributes: Attributes;
  /** Only `exception` events are kept: they carry the error type and message. */
  events: SpanEvent[];
  /** The resource's attributes (service.name, service.version, deployment.environment…). */
  resource: Attributes;
}

/** Spans a decoder dropped while keeping the rest of the request (partial success). */
export interface Rejections {
  count: number;
  /** Distinct reasons, for the partial_success error_message. */
  reasons: Set<string>;
}

export interface DecodedRequest {
  spans: RawSpan[];
  rejected: Rejections;
}

/** Raised for a body that cannot be decoded at all: 400 with a BadRequest naming the field. */
export class OtlpDecodeError extends Error {
  constructor(
    readonly violations: { field: string; description: string }[],
    /** http/errors.ts code: INVALID_ENCODING for bytes protobuf cannot read, VALIDATION_FAILED for a bad OTLP/JSON field. */
    readonly code: 'INVALID_ENCODING' | 'VALIDATION_FAILED',
  ) {
    super(violations[0] ? `${violations[0].field || '(body)'}: ${violations[0].description}` : 'the OTLP request could not be decoded');
    this.name = 'OtlpDecodeError';
  }
}

export const newAttributes = (): Attributes => Object.create(null) as Attributes;
