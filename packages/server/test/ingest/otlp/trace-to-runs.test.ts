// The mapping from spans to runs under each convention, with spans written as data: OpenTelemetry
// GenAI, OpenInference, OpenLLMetry/Traceloop, and the OpenAI Agents SDK's spans as those
// instrumentations export them.
import { describe, expect, it } from 'vitest';
import { validateRun } from '@vigil/protocol';
import { newAttributes, type AttrValue, type RawSpan } from '../../../src/ingest/otlp/otlp-span.js';
import { spanFacts } from '../../../src/ingest/otlp/span-facts.js';
import { traceToRuns } from '../../../src/ingest/otlp/trace-to-runs.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const T0 = 1_768_000_000_000;

function span(id: string, parent: string, name: string, at: [number, number], attrs: Record<string, AttrValue>, status?: { code: number; message?: string; exception?: string }): RawSpan {
  const attributes = newAttributes();
  Object.assign(attributes, attrs);
  return {
    traceId: TRACE, spanId: id.padStart(16, '0'), parentSpanId: parent ? parent.padStart(16, '0') : '', name, kind: 1,
    startMs: T0 + at[0], endMs: T0 + at[1], statusCode: status?.code ?? 0, statusMessage: status?.message ?? '',
    attributes,
    events: status?.exception ? [{ name: 'exception', timeMs: T0 + at[1], attributes: Object.assign(newAttributes(), { 'exception.type': status.exception, 'exception.message': status.message ?? '' }) }] : [],
    resource: Object.assign(newAttributes(), { 'service.name': 'svc' }),
  };
}

const runsOf = (spans: RawSpan[]) => {
  const runs = traceToRuns(TRACE, spans.map(spanFacts));
  for (const r of runs) expect(validateRun(r).ok).toBe(true);
  return runs;
};

describe('OpenInference spans', () => {
  it('makes a root CHAIN the run, LLM spans its iterations and TOOL spans its tool calls', () => {
    const [run, ...rest] = runsOf([
      span('1', '', 'RunnableSequence', [0, 900], { 'openinference.span.kind': 'CHAIN' }),
      span('2', '1', 'ChatOpenAI', [10, 200], {
        'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 300, 'llm.token_count.completion': 40,
        'llm.token_count.prompt_details.cache_read': 128, 'llm.token_count.completion_details.reasoning': 16,
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'get_weather',
      }),
      span('3', '1', 'get_weather', [210, 260], { 'openinference.span.kind': 'TOOL', 'tool.name': 'get_weather', 'input.value': '{"city":"Oslo"}' }),
      span('4', '1', 'ChatOpenAI', [270, 880], { 'openinference.span.kind': 'LLM', 'llm.token_count.prompt': 350, 'llm.token_count.completion': 60 }),
    ]);
    expect(rest).toEqual([]);
    expect(run).toMatchObject({
      run_id: TRACE, agent_name: 'RunnableSequence', completion_status: 'success', iterations: 2, duration_ms: 900,
      tool_calls: [{ name: 'get_weather', status: 'success', duration_ms: 50 }],
    });
    expect(run!.steps![0]).toMatchObject({ model: 'gpt-4o', tokens: { input: 300, output: 40, cached_input: 128, reasoning: 16 }, tool_calls_requested: ['get_weather'] });
  });

  it('names an AGENT run by agent.name', () => {
    const [run] = runsOf([span('1', '', 'Agent run', [0, 10], { 'openinference.span.kind': 'AGENT', 'agent.name': 'triage' })]);
    expect(run!.agent_name).toBe('triage');
  });
});

describe('OpenLLMetry / Traceloop spans', () => {
  it('makes a workflow span the run, named by traceloop.entity.name, with gen_ai.usage prompt/completion tokens', () => {
    const [run] = runsOf([
      span('1', '', 'support.workflow', [0, 500], { 'traceloop.span.kind': 'workflow', 'traceloop.entity.name': 'support' }),
      span('2', '1', 'openai.chat', [5, 100], {
        'llm.request.type': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.prompt_tokens': 90, 'gen_ai.usage.completion_tokens': 12, 'gen_ai.usage.cache_read_input_tokens': 32,
        'gen_ai.completion.0.finish_reason': 'tool_calls', 'gen_ai.completion.0.tool_calls.0.name': 'search',
      }),
      span('3', '1', 'search.tool', [110, 400], { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'search', 'traceloop.entity.input': '{"q":"x"}' },
        { code: 2, message: 'deadline exceeded' }),
    ]);
    expect(run).toMatchObject({ agent_name: 'support', iterations: 1, tool_calls: [{ name: 'search', status: 'timeout' }] });
    expect(run!.steps![0]).toMatchObject({ model: 'gpt-4o-mini', tokens: { input: 90, output: 12, cached_input: 32 }, finish_reason: 'tool_calls', tool_calls_requested: ['search'] });
  });
});

describe('OpenAI Agents SDK spans over OTLP', () => {
  it('counts a generation span wrapping the client call once, records handoffs, and reads MaxTurnsExceeded as an iteration limit', () => {
    const [run] = runsOf([
      span('1', '', 'triage.agent', [0, 1000], { 'traceloop.span.kind': 'agent', 'gen_ai.agent.name': 'triage' },
        { code: 2, message: 'Max turns (3) exceeded', exception: 'MaxTurnsExceeded' }),
      span('2', '1', 'openai.response', [10, 300], { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4.1' }),
      span('3', '2', 'openai.chat', [20, 290], { 'llm.request.type': 'chat', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 }),
      span('4', '1', 'handoff', [310, 311], { 'gen_ai.handoff.from_agent': 'triage', 'gen_ai.handoff.to_agent': 'billing' }),
      span('5', '1', 'billing.agent', [320, 990], { 'traceloop.span.kind': 'agent', 'gen_ai.agent.name': 'billing' }),
      span('6', '5', 'execute_tool refund', [400, 450], { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'refund', 'error.type': 'TimeoutError' }, { code: 2 }),
    ]);
    expect(run).toMatchObject({ agent_name: 'triage', completion_status: 'iteration_limit', iterations: 1, error: { type: 'MaxTurnsExceeded' } });
    expect(run!.steps![0]!.tokens).toMatchObject({ input: 100, output: 20 });
    expect(run!.tool_calls).toMatchObject([{ name: 'refund', status: 'timeout', error: { type: 'TimeoutError' } }]);
    expect(run!.transitions!.map((t) => t.state)).toEqual(['started', 'thinking', 'handoff:billing', 'tool:refund', 'iteration_limit']);
  });

  it('reads a cancelled run from its error', () => {
    const [run] = runsOf([span('1', '', 'invoke_agent a', [0, 5], { 'gen_ai.operation.name': 'invoke_agent', 'error.type': 'AbortError' }, { code: 2, message: 'The operation was aborted' })]);
    expect(run!.completion_status).toBe('cancelled');
  });
});

describe('traces with several roots or none', () => {
  it('gives each top-level agent span its own run and every orphan model call a one-iteration run', () => {
    const runs = runsOf([
      span('a', 'f', 'invoke_agent x', [0, 10], { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'x' }),
      span('b', 'f', 'invoke_agent y', [20, 30], { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'y' }),
      span('f', '', 'POST /chat', [0, 40], { 'http.route': '/chat' }),
      span('c', 'f', 'chat', [35, 39], { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 1 }),
    ]);
    expect(runs.map((r) => [r.run_id, r.agent_name, r.iterations])).toEqual([
      [`${TRACE}-000000000000000a`, 'x', 0],
      [`${TRACE}-000000000000000b`, 'y', 0],
      [`${TRACE}-000000000000000c`, 'svc', 1],
    ]);
  });

  it('keeps prompt and tool content out of the facts it holds', () => {
    const facts = spanFacts(span('1', '', 'execute_tool t', [0, 1], { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.arguments': '{"ssn":"123-45-6789"}', 'gen_ai.input.messages': 'secret prompt' }));
    expect(JSON.stringify(facts)).not.toMatch(/123-45-6789|secret prompt/);
    expect(facts.argsHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('runs at the edges of the wire format', () => {
  it('cuts very long runs to the wire limits but counts every iteration and token', () => {
    const spans = [span('1', '', 'invoke_agent long', [0, 100_000], { 'gen_ai.operation.name': 'invoke_agent' })];
    for (let i = 0; i < 1_100; i++) {
      spans.push(span(`a${i.toString(16)}`, '1', 'chat', [i * 10, i * 10 + 5], { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 2, 'gen_ai.usage.output_tokens': 1 }));
      spans.push(span(`b${i.toString(16)}`, '1', 'execute_tool t', [i * 10 + 6, i * 10 + 8], { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't' }));
    }
    const [run] = runsOf(spans);
    expect(run).toMatchObject({ iterations: 1_100, tokens: { input: 2_200, output: 1_100 } });
    expect(run!.steps).toHaveLength(1_000);
    expect(run!.tool_calls).toHaveLength(1_000);
    expect(run!.transitions!.at(-1)!.state).toBe('completed');
  });

  it('leaves out times a span does not have, instead of refusing its run', () => {
    const s = span('1', '', 'invoke_agent a', [0, 5], { 'gen_ai.operation.name': 'invoke_agent' });
    s.startMs = 0;
    s.endMs = 0;
    const [run] = runsOf([s]);
    expect(run!.timestamp).toBeUndefined();
    expect(run!.duration_ms).toBe(0);
  });
});

describe('Vercel AI SDK spans', () => {
  const sdk = (op: string, extra: Record<string, AttrValue> = {}) => ({ 'ai.operationId': op, 'ai.telemetry.functionId': 'support_bot', ...extra });

  it('makes ai.generateText the run named by functionId, doGenerate its iterations and ai.toolCall its tool calls', () => {
    const [run, ...rest] = runsOf([
      span('1', '', 'ai.generateText', [0, 500], sdk('ai.generateText', { 'ai.telemetry.metadata.sessionId': 's-1', 'ai.telemetry.metadata.userId': 'u-1' })),
      span('2', '1', 'ai.generateText.doGenerate', [10, 100], sdk('ai.generateText.doGenerate', {
        'ai.model.id': 'gpt-4o-mini', 'ai.usage.inputTokens': 120, 'ai.usage.outputTokens': 30, 'ai.usage.cachedInputTokens': 64,
        'ai.usage.reasoningTokens': 8, 'ai.response.finishReason': 'tool-calls', 'ai.response.id': 'chatcmpl-1',
        'ai.response.toolCalls': '[{"toolCallId":"c1","toolName":"refund_order","input":"{}"}]',
      })),
      span('3', '1', 'ai.toolCall', [110, 130], sdk('ai.toolCall', { 'ai.toolCall.name': 'refund_order', 'ai.toolCall.id': 'c1', 'ai.toolCall.args': '{}' }),
        { code: 2, message: 'refund service unavailable', exception: 'Error' }),
      span('4', '1', 'ai.generateText.doGenerate', [140, 490], sdk('ai.generateText.doGenerate', { 'ai.usage.promptTokens': 50, 'ai.usage.completionTokens': 5 })),
    ]);
    expect(rest).toEqual([]);
    expect(run).toMatchObject({
      run_id: TRACE, agent_name: 'support_bot', completion_status: 'success', iterations: 2, session_id: 's-1', user_id: 'u-1',
      tool_calls: [{ name: 'refund_order', call_id: 'c1', status: 'error', error: { message: 'refund service unavailable' } }],
    });
    expect(run!.steps![0]).toMatchObject({
      model: 'gpt-4o-mini', tokens: { input: 120, output: 30, cached_input: 64, reasoning: 8 }, finish_reason: 'tool-calls', request_id: 'chatcmpl-1', tool_calls_requested: ['refund_order'],
    });
    expect(run!.steps![1]!.tokens).toEqual({ input: 50, output: 5, cached_input: 0, reasoning: 0 });
  });

  it('fails a streamText run whose last model call failed, though the SDK ends its root span OK', () => {
    const [run] = runsOf([
      span('1', '', 'ai.streamText', [0, 500], sdk('ai.streamText')),
      span('2', '1', 'ai.streamText.doStream', [10, 100], sdk('ai.streamText.doStream', { 'ai.usage.inputTokens': 10, 'ai.usage.outputTokens': 2 })),
      span('3', '1', 'ai.streamText.doStream', [110, 490], sdk('ai.streamText.doStream'), { code: 2, message: 'the model is overloaded', exception: 'AI_APICallError' }),
    ]);
    expect(run).toMatchObject({ completion_status: 'error', iterations: 2, error: { type: 'AI_APICallError', message: 'the model is overloaded' } });
  });

  it('names a call without a functionId after its service, not after the span', () => {
    const [run] = runsOf([span('1', '', 'ai.generateText', [0, 50], { 'ai.operationId': 'ai.generateText' })]);
    expect(run!.agent_name).toBe('svc');
  });
});

describe('OpenInference OpenAI Agents SDK spans', () => {
  it('names the run after the agent inside the "Agent workflow" wrapper, with llm.finish_reason per call', () => {
    const [run] = runsOf([
      span('1', '', 'Agent workflow', [0, 500], { 'openinference.span.kind': 'AGENT' }),
      span('2', '1', 'Agent workflow', [1, 499], { 'openinference.span.kind': 'CHAIN' }),
      span('3', '2', 'support_bot', [2, 498], { 'openinference.span.kind': 'AGENT', 'graph.node.id': 'support_bot' }),
      span('4', '3', 'generation', [3, 100], { 'openinference.span.kind': 'LLM', 'llm.finish_reason': 'tool_calls', 'llm.token_count.prompt': 5, 'llm.token_count.completion': 1 }),
    ]);
    expect(run).toMatchObject({ agent_name: 'support_bot', iterations: 1 });
    expect(run!.steps![0]!.finish_reason).toBe('tool_calls');
  });
});

describe('traces whose root span never arrives', () => {
  const traceloopChat = (id: string, parent: string, at: [number, number]) => span(id, parent, 'chat gpt-4o-mini', at, {
    'gen_ai.operation.name': 'chat', 'gen_ai.agent.name': 'support_bot', 'traceloop.workflow.name': 'support_bot',
    'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10,
  });

  it('makes the model and tool spans under one missing span one run, named from their agent, and not a success', () => {
    const runs = runsOf([
      traceloopChat('2', '1', [10, 100]),
      span('3', '1', 'lookup_order.tool', [110, 120], { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'lookup_order', 'gen_ai.agent.name': 'support_bot' }),
      traceloopChat('4', '1', [130, 300]),
    ]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      run_id: `${TRACE}-0000000000000001`, agent_name: 'support_bot', iterations: 2, completion_status: 'error', duration_ms: 290,
      error: { type: 'RootSpanMissing' }, tool_calls: [{ name: 'lookup_order', status: 'success' }],
    });
  });

  it('takes the error of a failed model call among them as the run error', () => {
    const [run] = runsOf([
      traceloopChat('2', '1', [10, 100]),
      span('3', '1', 'chat gpt-4o-mini', [110, 200], { 'gen_ai.operation.name': 'chat', 'gen_ai.agent.name': 'support_bot' }, { code: 2, message: 'request timed out' }),
    ]);
    expect(run).toMatchObject({ completion_status: 'timeout', iterations: 2, error: { message: 'request timed out' } });
  });

  it('keeps a lone model call that names no agent a one-iteration run of its service', () => {
    const runs = runsOf([span('2', '1', 'chat', [0, 10], { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1 })]);
    expect(runs.map((r) => [r.run_id, r.agent_name, r.completion_status])).toEqual([[`${TRACE}-0000000000000002`, 'svc', 'success']]);
  });

  it('keeps model calls under a trace root that is not an agent one run each', () => {
    const runs = runsOf([
      span('1', '', 'POST /chat', [0, 500], { 'http.request.method': 'POST' }),
      span('2', '1', 'chat', [10, 100], { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1 }),
      span('3', '1', 'chat', [110, 200], { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1 }),
    ]);
    expect(runs.map((r) => [r.iterations, r.completion_status])).toEqual([[1, 'success'], [1, 'success']]);
  });
});
