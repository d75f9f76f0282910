// OTLP ingest throughput: spans/s accepted by POST /v1/traces (binary protobuf, 512 spans per
// request, serialized by the real exporter's serializer from @opentelemetry/otlp-transformer)
// against decode-only time of the same bytes (protobufjs decode into spans, no mapping, no HTTP,
// no store), both in this process. Ingest includes HTTP, decoding, mapping spans to runs, holding
// the spans durably (SQLite file, WAL, synchronous=FULL) and writing the runs.
// Run: npx tsx bench/otlp/run.ts [batches] [concurrency]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { defaultOtlpConfig } from '../../packages/server/src/ingest/otlp/otlp-config.js';
import { decodeProtobuf } from '../../packages/server/src/ingest/otlp/otlp-decode.js';
import { createTraceAssembler } from '../../packages/server/src/ingest/otlp/trace-assembler.js';
import { createVigilServer } from '../../packages/server/src/app/server.js';
import { createSqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';

const BATCHES = Number(process.argv[2] ?? 40);
const CONCURRENCY = Number(process.argv[3] ?? 4);
const SPANS_PER_BATCH = 512;
/** One agent span, 3 model calls, 4 tool calls: a typical small agent run. */
const SPANS_PER_TRACE = 8;
const DECODE_REPS = 5;
const KEY = 'vgl_bench_otlp';

function makeBatches(): Uint8Array[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-agents', 'service.version': '1.0.0' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
    spanLimits: { attributeCountLimit: 128 },
  });
  const tracer = provider.getTracer('bench');
  const t0 = Date.now() - 3_600_000;
  const tracesPerBatch = SPANS_PER_BATCH / SPANS_PER_TRACE;
  const batches: Uint8Array[] = [];
  for (let b = 0; b < BATCHES; b++) {
    memory.reset();
    for (let t = 0; t < tracesPerBatch; t++) {
      const start = t0 + (b * tracesPerBatch + t) * 10;
      const agentName = `agent_${t % 20}`;
      const agent = tracer.startSpan(`invoke_agent ${agentName}`, { startTime: start, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agentName } });
      const ctx = trace.setSpan(ROOT_CONTEXT, agent);
      for (let i = 0; i < 3; i++) {
        tracer.startSpan('chat gpt-4o-mini', {
          kind: SpanKind.CLIENT, startTime: start + i * 100,
          attributes: {
            'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 800 + i,
            'gen_ai.usage.output_tokens': 120, 'gen_ai.response.finish_reasons': [i < 2 ? 'tool_calls' : 'stop'], 'gen_ai.response.id': `chatcmpl-${b}-${t}-${i}`,
          },
        }, ctx).end(start + i * 100 + 60);
      }
      for (let i = 0; i < 4; i++) {
        const tool = tracer.startSpan(`execute_tool tool_${i}`, {
          startTime: start + 60 + i * 20,
          attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': `tool_${i}`, 'gen_ai.tool.call.id': `call_${i}`, 'gen_ai.tool.call.arguments': `{"q":${t}}` },
        }, ctx);
        if (i === 3 && t % 10 === 0) tool.setStatus({ code: SpanStatusCode.ERROR, message: 'timed out' });
        tool.end(start + 70 + i * 20);
      }
      agent.end(start + 400);
    }
    const spans: ReadableSpan[] = memory.getFinishedSpans();
    if (spans.length !== SPANS_PER_BATCH) throw new Error(`expected ${SPANS_PER_BATCH} spans, got ${spans.length}`);
    batches.push(ProtobufTraceSerializer.serializeRequest(spans)!);
  }
  return batches;
}

function decodeOnly(batches: Uint8Array[]): number {
  for (const b of batches.slice(0, 3)) decodeProtobuf(b); // warm-up
  const started = process.hrtime.bigint();
  let spans = 0;
  for (let r = 0; r < DECODE_REPS; r++) for (const b of batches) spans += decodeProtobuf(b).spans.length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return spans / seconds;
}

/** The same pipeline without HTTP: decode, map, hold spans, write runs, on its own SQLite file. */
async function pipelineOnly(batches: Uint8Array[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-otlp-bench-'));
  const store = createSqliteStore({ path: join(dir, 'vigil.db') });
  try {
    await store.migrate();
    const project = await store.ensureProject('default');
    const assembler = createTraceAssembler({ store, config: defaultOtlpConfig(), price: null, now: Date.now });
    await assembler.ingest(project.id, decodeProtobuf(batches[0]!));
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) await assembler.ingest(project.id, decodeProtobuf(batches[next++]!));
    }));
    return (batches.length * SPANS_PER_BATCH) / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function ingest(batches: Uint8Array[]): Promise<{ spansPerSecond: number; runs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-otlp-bench-'));
  const vigil = await createVigilServer({ db: join(dir, 'vigil.db'), apiKeys: [KEY], alerting: { start: false } });
  try {
    const url = `${await vigil.app.listen({ port: 0, host: '127.0.0.1' })}/v1/traces`;
    const post = async (body: Uint8Array) => {
      const res = await fetch(url, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-protobuf' } });
      if (res.status !== 200) throw new Error(`POST /v1/traces answered ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length !== 0) throw new Error('partial success: some spans were rejected');
    };
    await post(batches[0]!); // warm-up (the first batch's runs are rewritten below, same ids)
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) await post(batches[next++]!);
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const page = await vigil.store.listRuns(vigil.defaultProject.id, { from: 0, to: Date.now() + 1, limit: 1_000_000 });
    return { spansPerSecond: (batches.length * SPANS_PER_BATCH) / seconds, runs: page.runs.length };
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const batches = makeBatches();
const kib = batches.reduce((n, b) => n + b.length, 0) / batches.length / 1024;
const decodeRate = decodeOnly(batches);
const pipelineRate = await pipelineOnly(batches);
const result = await ingest(batches);
const expectedRuns = (BATCHES * SPANS_PER_BATCH) / SPANS_PER_TRACE;
if (result.runs !== expectedRuns) throw new Error(`expected ${expectedRuns} runs, found ${result.runs}`);
console.log(`batches: ${BATCHES} × ${SPANS_PER_BATCH} spans (${kib.toFixed(1)} KiB protobuf each), concurrency ${CONCURRENCY}`);
console.log(`decode-only (protobufjs → spans): ${Math.round(decodeRate).toLocaleString('en-US')} spans/s`);
console.log(`pipeline without HTTP (decode, map, hold, write runs, fsync): ${Math.round(pipelineRate).toLocaleString('en-US')} spans/s`);
console.log(`ingest over HTTP (decode, map, hold, write runs, fsync): ${Math.round(result.spansPerSecond).toLocaleString('en-US')} spans/s, ${result.runs} runs stored`);
console.log(`ratio ingest / decode-only: ${(result.spansPerSecond / decodeRate).toFixed(3)}`);
