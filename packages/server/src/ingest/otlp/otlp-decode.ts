// Decodes an ExportTraceServiceRequest (binary protobuf or OTLP/JSON) into RawSpans. A body that
// cannot be decoded throws OtlpDecodeError (400); a decodable span with unusable ids is dropped
// and counted (partial success). It never maps spans to runs: that is span-facts.ts's job.
import {
  ExportTraceServiceRequest, type Int64, type PbAnyValue, type PbKeyValue, type PbRequest,
} from './otlp-proto.js';
import {
  newAttributes, OtlpDecodeError, type Attributes, type AttrValue, type DecodedRequest, type RawSpan, type Rejections,
  type SpanEvent,
} from './otlp-span.js';

/** Nesting deeper than this in an attribute value is cut off (kept as null), bounding recursion. */
const MAX_VALUE_DEPTH = 8;
/** JSON errors reported per request: enough to fix a sender, bounded for hostile bodies. */
const MAX_VIOLATIONS = 20;

const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;
const ZERO_TRACE = '0'.repeat(TRACE_ID_BYTES * 2);
const ZERO_SPAN = '0'.repeat(SPAN_ID_BYTES * 2);

// Nanoseconds since the epoch do not fit a double exactly (2^53 ns is 104 days); rounding to whole
// microseconds first gives exact milliseconds, and microseconds are all a run's timing needs.
const nsToMs = (ns: number): number => Math.round(ns / 1e3) / 1e3;
const int64 = (v: Int64 | undefined): number => (v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());
// protobufjs leaves an absent bytes field as its default (an empty array, not a Uint8Array).
const hex = (b: Uint8Array | number[] | undefined): string =>
  !b || b.length === 0 ? '' : b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') : Buffer.from(b).toString('hex');

function reject(rejected: Rejections, reason: string): void {
  rejected.count += 1;
  rejected.reasons.add(reason);
}

/** Checks ids shared by both encodings; returns a reason when the span cannot be placed in a trace. */
function idProblem(traceId: string, spanId: string, parentSpanId: string): string | null {
  if (traceId.length !== TRACE_ID_BYTES * 2 || traceId === ZERO_TRACE) return 'trace_id must be 16 bytes and not all zero';
  if (spanId.length !== SPAN_ID_BYTES * 2 || spanId === ZERO_SPAN) return 'span_id must be 8 bytes and not all zero';
  if (parentSpanId.length !== 0 && parentSpanId.length !== SPAN_ID_BYTES * 2) return 'parent_span_id must be empty or 8 bytes';
  return null;
}

// ---- binary protobuf ----

function pbValue(v: PbAnyValue | null | undefined, depth: number): AttrValue {
  if (!v) return null;
  switch (v.value) {
    case 'stringValue': return v.stringValue ?? '';
    case 'boolValue': return v.boolValue ?? false;
    case 'intValue': return int64(v.intValue);
    case 'doubleValue': return v.doubleValue ?? 0;
    case 'bytesValue': return v.bytesValue ? Buffer.from(v.bytesValue).toString('base64') : '';
    case 'arrayValue': return depth >= MAX_VALUE_DEPTH ? null : (v.arrayValue?.values ?? []).map((x) => pbValue(x, depth + 1));
    case 'kvlistValue': return depth >= MAX_VALUE_DEPTH ? null : pbAttributes(v.kvlistValue?.values ?? [], depth + 1);
    default: return null;
  }
}

function pbAttributes(list: PbKeyValue[], depth = 0): Attributes {
  const out = newAttributes();
  for (const kv of list) out[kv.key] = pbValue(kv.value, depth);
  return out;
}

/** Decodes binary protobuf; protobufjs throws on truncated or malformed input. */
export function decodeProtobuf(body: Uint8Array): DecodedRequest {
  let message: PbRequest;
  try {
    message = ExportTraceServiceRequest.decode(body) as unknown as PbRequest;
  } catch (e) {
    throw new OtlpDecodeError([{ field: '', description: `not a valid ExportTraceServiceRequest: ${(e as Error).message}` }], 'INVALID_ENCODING');
  }
  const spans: RawSpan[] = [];
  const rejected: Rejections = { count: 0, reasons: new Set() };
  for (const rs of message.resourceSpans) {
    const resource = pbAttributes(rs.resource?.attributes ?? []);
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        const traceId = hex(s.traceId);
        const spanId = hex(s.spanId);
        const parentSpanId = hex(s.parentSpanId);
        const problem = idProblem(traceId, spanId, parentSpanId);
        if (problem) {
          reject(rejected, problem);
          continue;
        }
        const events: SpanEvent[] = [];
        for (const e of s.events) {
          if (e.name === 'exception') events.push({ name: e.name, timeMs: nsToMs(int64(e.timeUnixNano)), attributes: pbAttributes(e.attributes) });
        }
        spans.push({
          traceId, spanId, parentSpanId,
          name: s.name,
          kind: s.kind,
          startMs: nsToMs(int64(s.startTimeUnixNano)),
          endMs: nsToMs(int64(s.endTimeUnixNano)),
          statusCode: s.status?.code ?? 0,
          statusMessage: s.status?.message ?? '',
          attributes: pbAttributes(s.attributes),
          events,
          resource,
        });
      }
    }
  }
  return { spans, rejected };
}

// ---- OTLP/JSON ----
// Proto3's JSON mapping with OTLP's deviations: lowerCamelCase keys only, trace and span ids in
// hex (not base64), enums as integers only, 64-bit integers as decimal strings or numbers.
// Unknown keys are ignored, as the specification requires.

type Json = Record<string, unknown>;

class JsonReader {
  readonly violations: { field: string; description: string }[] = [];

  fail(field: string, description: string): void {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push({ field, description });
  }

  object(v: unknown, path: string): Json | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'object' && !Array.isArray(v)) return v as Json;
    this.fail(path, 'must be an object');
    return undefined;
  }

  array(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.fail(path, 'must be an array');
    return [];
  }

  string(v: unknown, path: string): string {
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v;
    this.fail(path, 'must be a string');
    return '';
  }

  /** A 64-bit integer: a JSON number or a decimal string (negative only when `signed`). */
  int64(v: unknown, path: string, signed: boolean): number {
    if (v === undefined || v === null) return 0;
    if (typeof v === 'number' && Number.isInteger(v) && (signed || v >= 0)) return v;
    if (typeof v === 'string' && (signed ? /^-?\d{1,20}$/ : /^\d{1,20}$/).test(v)) return Number(v);
    this.fail(path, `must be ${signed ? 'an' : 'a non-negative'} integer, as a number or a decimal string`);
    return 0;
  }

  /** OTLP/JSON enums are integers; the enum's names are not allowed. */
  enumValue(v: unknown, path: string): number {
    if (v === undefined || v === null) return 0;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    this.fail(path, 'must be an integer (OTLP/JSON encodes enums as integers, not names)');
    return 0;
  }

  double(v: unknown, path: string): number {
    if (typeof v === 'number') return v;
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    this.fail(path, 'must be a number');
    return 0;
  }

  /** Ids are hex strings of a fixed length; base64 (proto3's default for bytes) is refused. */
  id(v: unknown, path: string, bytes: number, optional: boolean): string {
    const s = this.string(v, path);
    if (s === '' && optional) return '';
    if (s.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(s)) {
      this.fail(path, `must be ${bytes * 2} hex characters (OTLP/JSON encodes ids in hex, not base64)`);
      return '';
    }
    return s.toLowerCase();
  }

  value(v: unknown, path: string, depth: number): AttrValue {
    const o = this.object(v, path);
    if (!o) return null;
    if (o.stringValue !== undefined && o.stringValue !== null) return this.string(o.stringValue, `${path}/stringValue`);
    if (o.boolValue !== undefined && o.boolValue !== null) {
      if (typeof o.boolValue === 'boolean') return o.boolValue;
      this.fail(`${path}/boolValue`, 'must be true or false');
      return null;
    }
    if (o.intValue !== undefined && o.intValue !== null) return this.int64(o.intValue, `${path}/intValue`, true);
    if (o.doubleValue !== undefined && o.doubleValue !== null) return this.double(o.doubleValue, `${path}/doubleValue`);
    if (o.bytesValue !== undefined && o.bytesValue !== null) return this.string(o.bytesValue, `${path}/bytesValue`);
    if (o.arrayValue !== undefined && o.arrayValue !== null) {
      if (depth >= MAX_VALUE_DEPTH) return null;
      const a = this.object(o.arrayValue, `${path}/arrayValue`);
      return this.array(a?.values, `${path}/arrayValue/values`).map((x, i) => this.value(x, `${path}/arrayValue/values/${i}`, depth + 1));
    }
    if (o.kvlistValue !== undefined && o.kvlistValue !== null) {
      if (depth >= MAX_VALUE_DEPTH) return null;
      const kv = this.object(o.kvlistValue, `${path}/kvlistValue`);
      return this.attributes(kv?.values, `${path}/kvlistValue/values`, depth + 1);
    }
    return null;
  }

  attributes(v: unknown, path: string, depth = 0): Attributes {
    const out = newAttributes();
    this.array(v, path).forEach((item, i) => {
      const kv = this.object(item, `${path}/${i}`);
      if (!kv) return;
      const key = this.string(kv.key, `${path}/${i}/key`);
      out[key] = this.value(kv.value, `${path}/${i}/value`, depth);
    });
    return out;
  }
}

/** Decodes a parsed OTLP/JSON body; any malformed field fails the whole request. */
export function decodeJson(body: unknown): DecodedRequest {
  const r = new JsonReader();
  const spans: RawSpan[] = [];
  const rejected: Rejections = { count: 0, reasons: new Set() };
  const root = r.object(body, '');
  if (!root) {
    r.fail('', 'must be an ExportTraceServiceRequest object');
    throw new OtlpDecodeError(r.violations, 'VALIDATION_FAILED');
  }
  r.array(root.resourceSpans, '/resourceSpans').forEach((rsv, i) => {
    const rsPath = `/resourceSpans/${i}`;
    const rs = r.object(rsv, rsPath);
    if (!rs) return;
    const res = r.object(rs.resource, `${rsPath}/resource`);
    const resource = r.attributes(res?.attributes, `${rsPath}/resource/attributes`);
    r.array(rs.scopeSpans, `${rsPath}/scopeSpans`).forEach((ssv, j) => {
      const ssPath = `${rsPath}/scopeSpans/${j}`;
      const ss = r.object(ssv, ssPath);
      if (!ss) return;
      r.array(ss.spans, `${ssPath}/spans`).forEach((sv, k) => {
        const p = `${ssPath}/spans/${k}`;
        const s = r.object(sv, p);
        if (!s) return;
        const before = r.violations.length;
        const traceId = r.id(s.traceId, `${p}/traceId`, TRACE_ID_BYTES, true);
        const spanId = r.id(s.spanId, `${p}/spanId`, SPAN_ID_BYTES, true);
        const parentSpanId = r.id(s.parentSpanId, `${p}/parentSpanId`, SPAN_ID_BYTES, true);
        const status = r.object(s.status, `${p}/status`);
        const events: SpanEvent[] = [];
        r.array(s.events, `${p}/events`).forEach((ev, e) => {
          const o = r.object(ev, `${p}/events/${e}`);
          if (!o || o.name !== 'exception') return;
          events.push({
            name: 'exception',
            timeMs: nsToMs(r.int64(o.timeUnixNano, `${p}/events/${e}/timeUnixNano`, false)),
            attributes: r.attributes(o.attributes, `${p}/events/${e}/attributes`),
          });
        });
        const span: RawSpan = {
          traceId, spanId, parentSpanId,
          name: r.string(s.name, `${p}/name`),
          kind: r.enumValue(s.kind, `${p}/kind`),
          startMs: nsToMs(r.int64(s.startTimeUnixNano, `${p}/startTimeUnixNano`, false)),
          endMs: nsToMs(r.int64(s.endTimeUnixNano, `${p}/endTimeUnixNano`, false)),
          statusCode: status ? r.enumValue(status.code, `${p}/status/code`) : 0,
          statusMessage: status ? r.string(status.message, `${p}/status/message`) : '',
          attributes: r.attributes(s.attributes, `${p}/attributes`),
          events,
          resource,
        };
        if (r.violations.length > before) return;
        const problem = idProblem(traceId, spanId, parentSpanId);
        if (problem) reject(rejected, problem);
        else spans.push(span);
      });
    });
  });
  if (r.violations.length > 0) throw new OtlpDecodeError(r.violations, 'VALIDATION_FAILED');
  return { spans, rejected };
}
