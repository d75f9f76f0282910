// The real OpenTelemetry OTLP/HTTP exporters (JSON and protobuf) send hand-built GenAI spans to a
// real Vigil server listening on a port; the runs Vigil stores must match what the spans describe.
import { ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '@vigil/protocol';
import type { VigilServer } from '../../../src/app/server.js';
import { startTestServer } from '../../helpers/test-server.js';
import { allSucceeded, SpanBuilder, startTracing, trace, SpanKind, type ExporterKind, type TestTracing } from './otlp-test-kit.js';

let vigil: VigilServer & { key: string };
let url: string;
let tracing: TestTracing | null = null;

beforeEach(async () => {
  vigil = await startTestServer();
  url = await vigil.app.listen({ port: 0, host: '127.0.0.1' });
});
afterEach(async () => {
  await tracing?.shutdown();
  tracing = null;
  await vigil.close();
});

const getRun = (runId: string): Promise<RunRecord | null> => vigil.store.getRun(vigil.defaultProject.id, runId);
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

describe.each<ExporterKind>(['http/json', 'http/protobuf'])('the %s exporter', (kind) => {
  it('turns an invoke_agent trace into one run with its iterations, tokens and tool calls', async () => {
    tracing = startTracing(kind, url, vigil.key, { 'service.name': 'support-service', 'service.version': '1.4.2', 'deployment.environment.name': 'prod' });
    const b = new SpanBuilder(tracing.tracer, T0);
    const agent = b.start('invoke_agent support_bot', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support_bot', 'gen_ai.conversation.id': 'conv-7' }, 0);
    const chat1 = b.start('chat gpt-4o', {
      'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 30, 'gen_ai.usage.cache_read.input_tokens': 64,
      'gen_ai.response.finish_reasons': ['tool_calls'], 'gen_ai.response.id': 'chatcmpl-1',
    }, 10, agent, SpanKind.CLIENT);
    b.end(chat1, 400);
    const search = b.start('execute_tool search_kb', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_kb', 'gen_ai.tool.call.id': 'call_1', 'gen_ai.tool.call.arguments': '{"q":"refund"}' }, 410, agent);
    b.end(search, 520);
    const ticket = b.start('execute_tool create_ticket', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'create_ticket' }, 530, agent);
    b.end(ticket, 2530, { message: 'tool call exceeded 2000 ms', type: 'TimeoutError' });
    const chat2 = b.start('chat gpt-4o', {
      'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 200, 'gen_ai.usage.output_tokens': 50,
      'gen_ai.response.finish_reasons': ['stop'],
    }, 2540, agent, SpanKind.CLIENT);
    b.end(chat2, 3000);
    b.end(agent, 3010);
    await tracing.provider.forceFlush();

    expect(tracing.results).toHaveLength(5); // one request per span: the trace came split over five
    expect(allSucceeded(tracing.results)).toBe(true);
    const run = await getRun(agent.spanContext().traceId);
    expect(run).toMatchObject({
      agent_name: 'support_bot',
      completion_status: 'success',
      timestamp: T0,
      ended_at: T0 + 3010,
      duration_ms: 3010,
      iterations: 2,
      tokens_used: 400,
      tokens: { input: 320, output: 80, cached_input: 64, reasoning: 0 },
      model: 'gpt-4o-2024-08-06',
      environment: 'prod',
      release: '1.4.2',
      session_id: 'conv-7',
    });
    expect(run!.tool_calls.map((t) => [t.name, t.status, t.duration_ms])).toEqual([
      ['search_kb', 'success', 110],
      ['create_ticket', 'timeout', 2000],
    ]);
    expect(run!.tool_calls[0]).toMatchObject({ call_id: 'call_1', args_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(run!.tool_calls[1]!.error).toEqual({ type: 'TimeoutError', message: 'tool call exceeded 2000 ms' });
    expect(run!.steps.map((s) => [s.finish_reason, s.tokens.input, s.request_id])).toEqual([['tool_calls', 120, 'chatcmpl-1'], ['stop', 200, null]]);
    expect(run!.transitions.map((t) => t.state)).toEqual(['started', 'thinking', 'tool:search_kb', 'tool:create_ticket', 'thinking', 'completed']);
  });

  it('takes the run status from the root span and recognises an iteration limit', async () => {
    tracing = startTracing(kind, url, vigil.key);
    const b = new SpanBuilder(tracing.tracer, T0);
    const failing = b.start('invoke_agent planner', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' }, 0);
    b.end(b.start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 }, 1, failing), 50);
    b.end(failing, 60, { message: 'Max turns (10) exceeded', type: 'MaxTurnsExceeded' });
    const broken = b.start('invoke_agent planner', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' }, 100);
    b.end(broken, 160, { message: 'upstream returned 500', type: 'InternalServerError' });
    await tracing.provider.forceFlush();

    expect(allSucceeded(tracing.results)).toBe(true);
    expect(await getRun(failing.spanContext().traceId)).toMatchObject({
      completion_status: 'iteration_limit', iterations: 1, error: { type: 'MaxTurnsExceeded', message: 'Max turns (10) exceeded' },
    });
    expect(await getRun(broken.spanContext().traceId)).toMatchObject({ completion_status: 'error', iterations: 0, error: { type: 'InternalServerError' } });
  });

  it('makes a chat span with no agent span a one-iteration run named after its service', async () => {
    tracing = startTracing(kind, url, vigil.key, { 'service.name': 'summarizer' });
    const b = new SpanBuilder(tracing.tracer, T0);
    const chat = b.start('chat gpt-4o-mini', {
      'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 42, 'gen_ai.usage.output_tokens': 8,
    }, 0, undefined, SpanKind.CLIENT);
    b.end(chat, 700);
    await tracing.provider.forceFlush();

    expect(allSucceeded(tracing.results)).toBe(true);
    expect(await getRun(chat.spanContext().traceId)).toMatchObject({
      agent_name: 'summarizer', iterations: 1, tokens_used: 50, model: 'gpt-4o-mini', completion_status: 'success', duration_ms: 700, tool_calls: [],
    });
  });

  it('updates a run when a late span of its trace arrives in a later request', async () => {
    tracing = startTracing(kind, url, vigil.key);
    const b = new SpanBuilder(tracing.tracer, T0);
    const agent = b.start('invoke_agent bot', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'bot' }, 0);
    b.end(b.start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1 }, 1, agent), 20);
    // A tool span that ends after its agent span (a fire-and-forget call) is exported after it.
    const tool = b.start('execute_tool notify', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'notify' }, 25, agent);
    b.end(agent, 30);
    await tracing.provider.forceFlush();
    const runId = agent.spanContext().traceId;
    expect((await getRun(runId))!.tool_calls).toEqual([]);

    b.end(tool, 90, { message: 'webhook refused', type: 'HTTPError' });
    await tracing.provider.forceFlush();
    expect(allSucceeded(tracing.results)).toBe(true);
    const run = await getRun(runId);
    expect(run!.tool_calls.map((t) => [t.name, t.status])).toEqual([['notify', 'error']]);
    expect(run!.iterations).toBe(1);
  });

  it('assembles an agent span under a remote parent once its trace has been quiet for assemble_after', async () => {
    tracing = startTracing(kind, url, vigil.key);
    const b = new SpanBuilder(tracing.tracer, T0);
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true,
    });
    const agent = b.start('invoke_agent router', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'router' }, 0, remote);
    b.end(b.start('chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 4 }, 1, agent), 5);
    b.end(agent, 9);
    await tracing.provider.forceFlush();
    const runId = `4bf92f3577b34da6a3ce929d0e0e4736-${agent.spanContext().spanId}`;
    expect(await getRun(runId)).toBeNull(); // its root (the remote parent) may still come

    const swept = await vigil.otlp.sweep(Date.now() + vigil.otlp.config.assembleAfterMs + 1);
    expect(swept.assembled).toBe(1);
    expect(await getRun(runId)).toMatchObject({ agent_name: 'router', iterations: 1, tokens_used: 7 });
  });
});

describe('configuration from the environment alone', () => {
  const saved = { endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, headers: process.env.OTEL_EXPORTER_OTLP_HEADERS };
  afterEach(() => {
    for (const [name, value] of [['OTEL_EXPORTER_OTLP_ENDPOINT', saved.endpoint], ['OTEL_EXPORTER_OTLP_HEADERS', saved.headers]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('reaches Vigil with OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS as docs/opentelemetry.md gives them', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = url;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer%20${vigil.key}`;
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter())] });
    const agent = provider.getTracer('env').startSpan('invoke_agent env_bot', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'env_bot' } });
    agent.end();
    await provider.shutdown();
    expect(await getRun(agent.spanContext().traceId)).toMatchObject({ agent_name: 'env_bot', completion_status: 'success' });
  });
});
