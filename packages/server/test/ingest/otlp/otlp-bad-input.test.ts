// Bad OTLP requests: each gets its OTLP status and a google.rpc.Status body in the request's
// encoding, and nothing is stored.
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ErrorInfo, ExportTraceServiceResponse, RpcStatus, TYPE_URL } from '../../../src/ingest/otlp/otlp-proto.js';
import type { VigilServer } from '../../../src/app/server.js';
import { auth, startTestServer } from '../../helpers/test-server.js';

let vigil: VigilServer & { key: string };
beforeEach(async () => {
  vigil = await startTestServer();
});
afterEach(async () => {
  await vigil.close();
});

const db = () => (vigil.store as unknown as { db: { prepare(s: string): { get(): { n: number } } } }).db;
const storedRows = () => db().prepare('SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM otlp_spans) + (SELECT count(*) FROM otlp_traces) AS n').get().n;

/** A real exporter-serialized request with one GenAI agent span. */
function protobufRequest(): Uint8Array {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  provider.getTracer('t').startSpan('invoke_agent a', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a' } }).end();
  return ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!;
}

const jsonSpan = (span: Record<string, unknown>) => ({
  resourceSpans: [{ scopeSpans: [{ spans: [{
    traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'invoke_agent a',
    startTimeUnixNano: '1718000000000000000', endTimeUnixNano: '1718000001000000000', kind: 1,
    attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } }],
    ...span,
  }] }] }],
});

function decodeStatus(body: Buffer) {
  const status = RpcStatus.toObject(RpcStatus.decode(body)) as { code: number; message: string; details: { typeUrl: string; value: Uint8Array }[] };
  const info = status.details.find((d) => d.typeUrl === TYPE_URL.errorInfo);
  return { ...status, reason: info ? (ErrorInfo.decode(info.value) as unknown as { reason: string }).reason : undefined };
}

describe('POST /v1/traces with bad input', () => {
  it('answers a truncated protobuf body with 400 and a protobuf google.rpc.Status', async () => {
    const whole = protobufRequest();
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/traces', payload: Buffer.from(whole.subarray(0, whole.length - 7)),
      headers: { ...auth(), 'content-type': 'application/x-protobuf' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    const status = decodeStatus(res.rawPayload);
    expect(status.code).toBe(3);
    expect(status.reason).toBe('INVALID_ENCODING');
    expect(storedRows()).toBe(0);
  });

  it('accepts the untruncated body, so the truncation is what failed', async () => {
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/traces', payload: Buffer.from(protobufRequest()),
      headers: { ...auth(), 'content-type': 'application/x-protobuf' },
    });
    expect(res.statusCode).toBe(200);
    expect(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(res.rawPayload))).toEqual({});
    expect(storedRows()).toBeGreaterThan(0);
  });

  it('answers a content type OTLP does not use with 415', async () => {
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/traces', payload: 'resourceSpans=1',
      headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json().details[0]).toMatchObject({ '@type': TYPE_URL.errorInfo, reason: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(storedRows()).toBe(0);
  });

  it('answers JSON with base64 ids (protobuf JSON mapping, not OTLP/JSON) with 400 naming the field', async () => {
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/traces', payload: jsonSpan({ traceId: 'W47/95gDgQPSabYzgT/GDA==', spanId: '7uGbfsPBsXQ=' }),
      headers: { ...auth(), 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    const body = res.json();
    expect(body.code).toBe(3);
    expect(body.details).toContainEqual(expect.objectContaining({ '@type': TYPE_URL.errorInfo, reason: 'VALIDATION_FAILED' }));
    const bad = body.details.find((d: { '@type': string }) => d['@type'] === TYPE_URL.badRequest);
    expect(bad.fieldViolations.map((v: { field: string }) => v.field)).toEqual([
      '/resourceSpans/0/scopeSpans/0/spans/0/traceId',
      '/resourceSpans/0/scopeSpans/0/spans/0/spanId',
    ]);
    expect(storedRows()).toBe(0);
  });

  it('answers JSON with enum names instead of integers with 400 naming the field', async () => {
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/traces', payload: jsonSpan({ kind: 'SPAN_KIND_INTERNAL' }),
      headers: { ...auth(), 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    const bad = res.json().details.find((d: { '@type': string }) => d['@type'] === TYPE_URL.badRequest);
    expect(bad.fieldViolations[0].field).toBe('/resourceSpans/0/scopeSpans/0/spans/0/kind');
    expect(storedRows()).toBe(0);
  });

  it('accepts 64-bit integers as strings or numbers and ids in upper-case hex', async () => {
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/traces',
      payload: jsonSpan({ traceId: '5B8EFFF798038103D269B633813FC60C', startTimeUnixNano: 1718000000000000000, endTimeUnixNano: '1718000001000000000' }),
      headers: { ...auth(), 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect(await vigil.store.getRun(vigil.defaultProject.id, '5b8efff798038103d269b633813fc60c')).toMatchObject({ duration_ms: 1000 });
  });

  it('answers a 30 MiB gzip bomb with 413 once its decoded size passes the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(30 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/traces', payload: bomb,
      headers: { ...auth(), 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeStatus(res.rawPayload).reason).toBe('BODY_TOO_LARGE');
    expect(storedRows()).toBe(0);
  });

  it('answers a request without a key with 401 in OTLP form', async () => {
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/traces', payload: Buffer.from(protobufRequest()), headers: { 'content-type': 'application/x-protobuf' },
    });
    expect(res.statusCode).toBe(401);
    expect(decodeStatus(res.rawPayload)).toMatchObject({ code: 16, reason: 'UNAUTHORIZED' });
    expect(storedRows()).toBe(0);
  });

  it('rejects spans with all-zero ids as a partial success and keeps the rest', async () => {
    const body = jsonSpan({});
    const spans = body.resourceSpans[0]!.scopeSpans[0]!.spans as Record<string, unknown>[];
    spans.push({ ...spans[0], traceId: '00000000000000000000000000000000' });
    const res = await vigil.app.inject({ method: 'POST', url: '/v1/traces', payload: body, headers: { ...auth(), 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().partialSuccess).toMatchObject({ rejectedSpans: '1', errorMessage: expect.stringContaining('trace_id') });
    expect(await vigil.store.getRun(vigil.defaultProject.id, '5b8efff798038103d269b633813fc60c')).not.toBeNull();
  });

  it('decodes a gzip body that is within the limit', async () => {
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/traces', payload: gzipSync(Buffer.from(protobufRequest())),
      headers: { ...auth(), 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(200);
    expect(db().prepare('SELECT count(*) AS n FROM runs').get().n).toBe(1);
  });
});
