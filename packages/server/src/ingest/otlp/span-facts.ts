// Reads one span's attributes under the conventions in use and keeps only the facts a run needs:
// its role (agent, workflow, llm, tool, handoff, other), names, tokens, errors, ids. The facts are
// what Vigil holds while a trace assembles, so prompt and tool content never reach the store
// (tool arguments survive only as a hash, for loop detection).
//
// Conventions read, and where each fact comes from:
// - OpenTelemetry GenAI: gen_ai.operation.name (invoke_agent, invoke_workflow, chat,
//   text_completion, generate_content, execute_tool), gen_ai.agent.name, gen_ai.tool.name,
//   gen_ai.tool.call.id, gen_ai.tool.call.arguments, gen_ai.usage.input_tokens/output_tokens,
//   gen_ai.usage.cache_read.input_tokens, gen_ai.usage.reasoning.output_tokens,
//   gen_ai.request.model/response.model, gen_ai.response.finish_reasons, gen_ai.response.id,
//   gen_ai.conversation.id, error.type.
// - OpenInference: openinference.span.kind (AGENT, CHAIN, LLM, TOOL), agent.name, tool.name,
//   llm.model_name, llm.token_count.prompt/completion/prompt_details.cache_read/
//   completion_details.reasoning, llm.output_messages.N.message.tool_calls.M.tool_call.function.name,
//   tool_call.id, input.value (a TOOL span's arguments), session.id, user.id.
// - OpenLLMetry / Traceloop: traceloop.span.kind (workflow, agent, tool, task),
//   traceloop.entity.name, traceloop.workflow.name, traceloop.entity.input, llm.request.type,
//   gen_ai.usage.prompt_tokens/completion_tokens, gen_ai.usage.cache_read_input_tokens,
//   gen_ai.usage.reasoning_tokens, gen_ai.completion.N.finish_reason/tool_calls.M.name,
//   gen_ai.handoff.from_agent/to_agent (its OpenAI Agents SDK instrumentation).
// - Vercel AI SDK (`experimental_telemetry`): ai.operationId ai.generateText / ai.streamText /
//   ai.generateObject / ai.streamObject (the run, named from ai.telemetry.functionId, else
//   resource.name), ai.*.doGenerate / ai.*.doStream (model calls), ai.toolCall (tool calls:
//   ai.toolCall.name, ai.toolCall.id, ai.toolCall.args), ai.usage.inputTokens/outputTokens/
//   cachedInputTokens/reasoningTokens (ai 5+; promptTokens/completionTokens before),
//   ai.response.model/finishReason/id/toolCalls, ai.model.id, ai.telemetry.metadata.sessionId/userId.
// - OpenAI Agents SDK spans exported over OTLP by those instrumentations: agent → agent,
//   generation/response → llm, function → tool, handoff → handoff; the SDK's MaxTurnsExceeded
//   error marks an iteration limit.
import { createHash } from 'node:crypto';
import type { Attributes, AttrValue, RawSpan } from './otlp-span.js';

export type SpanRole = 'agent' | 'workflow' | 'llm' | 'tool' | 'handoff' | 'other';

export interface FactTokens {
  input: number;
  output: number;
  cached_input: number;
  reasoning: number;
}

/** Everything assembly needs from one span; serialized as JSON while its trace is open. */
export interface SpanFacts {
  spanId: string;
  parentSpanId: string;
  name: string;
  role: SpanRole;
  startMs: number;
  endMs: number;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  agentName?: string;
  /** The agent name is only the span's name (OpenInference's "Agent workflow" wrapper, say): a named agent inside wins. */
  agentNameFromSpan?: boolean;
  /** On model and tool spans: the agent or workflow they ran in, by attribute, for when that span never arrives. */
  agentHint?: string;
  /** The run ended as its last model call did: the AI SDK's streamText ends its span OK when the stream failed. */
  endsWithLastCall?: boolean;
  toolName?: string;
  callId?: string;
  argsHash?: string;
  model?: string;
  tokens?: FactTokens;
  finishReason?: string;
  requestId?: string;
  toolCallsRequested?: string[];
  errorType?: string;
  errorMessage?: string;
  handoffTo?: string;
  sessionId?: string;
  userId?: string;
  service?: string;
  serviceVersion?: string;
  environment?: string;
}

const MAX_TEXT = 8_000;
const MAX_NAME = 256;
const MAX_TOOL_CALLS_REQUESTED = 128;

const str = (v: AttrValue | undefined): string | undefined => {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
};

const num = (v: AttrValue | undefined): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
};

function first(a: Attributes, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = str(a[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function firstNum(a: Attributes, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const v = num(a[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

const clip = (s: string | undefined, max: number): string | undefined => (s === undefined ? undefined : s.length > max ? s.slice(0, max) : s);

const KEYS = {
  input: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'ai.usage.inputTokens', 'ai.usage.promptTokens'],
  output: ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion', 'ai.usage.outputTokens', 'ai.usage.completionTokens'],
  cached: [
    'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'llm.token_count.prompt_details.cache_read',
    'ai.usage.cachedInputTokens', 'ai.usage.inputTokenDetails.cacheReadTokens',
  ],
  reasoning: [
    'gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens', 'llm.token_count.completion_details.reasoning',
    'ai.usage.reasoningTokens', 'ai.usage.outputTokenDetails.reasoningTokens',
  ],
  model: ['gen_ai.response.model', 'llm.response.model_name', 'llm.model_name', 'gen_ai.request.model', 'llm.request.model_name', 'ai.response.model', 'ai.model.id'],
  agent: ['gen_ai.agent.name', 'agent.name'],
  tool: ['gen_ai.tool.name', 'tool.name', 'ai.toolCall.name'],
  callId: ['gen_ai.tool.call.id', 'tool_call.id', 'tool.id', 'ai.toolCall.id'],
  args: ['gen_ai.tool.call.arguments', 'tool.parameters', 'traceloop.entity.input', 'input.value', 'ai.toolCall.args', 'ai.toolCall.input'],
  session: [
    'gen_ai.conversation.id', 'session.id', 'traceloop.association.properties.session_id',
    'ai.telemetry.metadata.sessionId', 'ai.telemetry.metadata.session_id', 'ai.telemetry.metadata.session.id',
  ],
  user: [
    'user.id', 'enduser.id', 'traceloop.association.properties.user_id',
    'ai.telemetry.metadata.userId', 'ai.telemetry.metadata.user_id', 'ai.telemetry.metadata.user.id',
  ],
} as const;

const LLM_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'completion', 'responses']);
const LLM_REQUEST_TYPES = new Set(['chat', 'completion', 'response', 'responses']);
/** The Vercel AI SDK's top-level calls: each one is an agent loop (tool steps included). */
const AI_SDK_RUNS = /^ai\.(generateText|streamText|generateObject|streamObject)$/;
const AI_SDK_MODEL_CALLS = /^ai\.\w+\.(doGenerate|doStream)$/;

/** The Vercel AI SDK names every span's job in ai.operationId; undefined for its other spans. */
function aiSdkRole(operationId: string | undefined): SpanRole | undefined {
  if (operationId === undefined) return undefined;
  if (AI_SDK_RUNS.test(operationId)) return 'agent';
  if (AI_SDK_MODEL_CALLS.test(operationId)) return 'llm';
  if (operationId === 'ai.toolCall') return 'tool';
  return undefined;
}

function roleOf(span: RawSpan): SpanRole {
  const a = span.attributes;
  const aiSdk = aiSdkRole(str(a['ai.operationId']));
  if (aiSdk !== undefined) return aiSdk;
  const op = str(a['gen_ai.operation.name']);
  if (op === 'invoke_agent') return 'agent';
  if (op === 'invoke_workflow') return 'workflow';
  if (op === 'execute_tool') return 'tool';
  if (op !== undefined && LLM_OPERATIONS.has(op)) return 'llm';
  switch (str(a['openinference.span.kind'])?.toUpperCase()) {
    case 'AGENT': return 'agent';
    case 'CHAIN': return 'workflow';
    case 'LLM': return 'llm';
    case 'TOOL': return /^handoff/i.test(span.name) ? 'handoff' : 'tool';
  }
  switch (str(a['traceloop.span.kind'])) {
    case 'agent': return 'agent';
    case 'workflow': return 'workflow';
    case 'tool': return 'tool';
  }
  if (str(a['gen_ai.handoff.to_agent']) !== undefined || /^handoff\b/i.test(span.name)) return 'handoff';
  const requestType = str(a['llm.request.type']);
  if (requestType !== undefined && LLM_REQUEST_TYPES.has(requestType)) return 'llm';
  if (/^invoke_agent\b/.test(span.name)) return 'agent';
  if (/^execute_tool\b/.test(span.name)) return 'tool';
  // An instrumentation we do not know by name still reports usage on its model calls.
  if (firstNum(a, KEYS.input) !== undefined || firstNum(a, KEYS.output) !== undefined) return 'llm';
  return 'other';
}

/** Tool names the model asked for, from OpenInference's, Traceloop's, GenAI's or the AI SDK's output. */
function requestedTools(a: Attributes): string[] | undefined {
  const found: string[] = [];
  const aiSdkCalls = a['ai.response.toolCalls'];
  if (typeof aiSdkCalls === 'string' && aiSdkCalls.length < 1_000_000) {
    try {
      const parsed = JSON.parse(aiSdkCalls) as unknown;
      for (const c of Array.isArray(parsed) ? parsed : []) {
        const name = (c as { toolName?: unknown }).toolName;
        if (typeof name === 'string' && name !== '' && found.length < MAX_TOOL_CALLS_REQUESTED) found.push(clip(name, MAX_NAME)!);
      }
    } catch {
      // Only content capture carries this; without it the run still has its tool calls.
    }
  }
  for (const key of Object.keys(a)) {
    if (found.length >= MAX_TOOL_CALLS_REQUESTED) break;
    if (/^llm\.output_messages\.\d+\.message\.tool_calls\.\d+\.tool_call\.function\.name$/.test(key)
      || /^gen_ai\.completion\.\d+\.tool_calls\.\d+\.name$/.test(key)) {
      const v = str(a[key]);
      if (v) found.push(clip(v, MAX_NAME)!);
    }
  }
  const messages = a['gen_ai.output.messages'];
  if (found.length === 0 && typeof messages === 'string' && messages.length < 1_000_000) {
    try {
      const parsed = JSON.parse(messages) as unknown;
      for (const m of Array.isArray(parsed) ? parsed : []) {
        for (const part of Array.isArray((m as { parts?: unknown }).parts) ? (m as { parts: unknown[] }).parts : []) {
          const p = part as { type?: unknown; name?: unknown };
          if (p.type === 'tool_call' && typeof p.name === 'string' && found.length < MAX_TOOL_CALLS_REQUESTED) found.push(clip(p.name, MAX_NAME)!);
        }
      }
    } catch {
      // Content capture formats vary; the names are a nicety, not a requirement.
    }
  }
  return found.length > 0 ? found : undefined;
}

function finishReason(a: Attributes): string | undefined {
  const reasons = a['gen_ai.response.finish_reasons'];
  if (Array.isArray(reasons)) return str(reasons[0] as AttrValue);
  return str(reasons) ?? first(a, ['gen_ai.completion.0.finish_reason', 'llm.finish_reason', 'llm.output_messages.0.message.finish_reason', 'ai.response.finishReason']);
}

function stripPrefix(name: string, prefix: RegExp): string | undefined {
  const rest = name.replace(prefix, '').trim();
  return rest === '' || rest === name ? undefined : rest;
}

export function spanFacts(span: RawSpan): SpanFacts {
  const a = span.attributes;
  const role = roleOf(span);
  const facts: SpanFacts = {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: clip(span.name, MAX_NAME) ?? '',
    role,
    startMs: span.startMs,
    endMs: Math.max(span.endMs, span.startMs),
    statusCode: span.statusCode,
  };
  const exception = span.events.find((e) => e.name === 'exception');
  const errorType = first(a, ['error.type']) ?? (exception ? str(exception.attributes['exception.type']) : undefined);
  const errorMessage = span.statusMessage || (exception ? str(exception.attributes['exception.message']) : undefined);
  if (span.statusCode === 2 || (errorType !== undefined && errorType !== '_OTHER')) {
    facts.errorType = clip(errorType, MAX_NAME);
    facts.errorMessage = clip(errorMessage, MAX_TEXT);
  }

  if (role === 'agent' || role === 'workflow') {
    const traceloopName = str(a['traceloop.span.kind']) ? first(a, ['traceloop.entity.name', 'traceloop.workflow.name']) : undefined;
    // OpenInference's Agents SDK processor names an AGENT span's agent in graph.node.id.
    const graphNode = role === 'agent' && str(a['openinference.span.kind']) ? first(a, ['graph.node.id']) : undefined;
    // An AI SDK call without a functionId is named after its service (trace-to-runs), not "ai.generateText".
    const named = str(a['ai.operationId']) !== undefined
      ? first(a, ['ai.telemetry.functionId', 'resource.name'])
      : first(a, KEYS.agent) ?? graphNode ?? traceloopName ?? stripPrefix(span.name, /^(invoke_agent|invoke_workflow)\b/);
    if (/^ai\.stream(Text|Object)$/.test(str(a['ai.operationId']) ?? '')) facts.endsWithLastCall = true;
    if (named !== undefined) facts.agentName = clip(named, MAX_NAME);
    else if ((role === 'agent' || str(a['openinference.span.kind'])) && span.name !== '' && str(a['ai.operationId']) === undefined) {
      facts.agentName = clip(span.name, MAX_NAME);
      facts.agentNameFromSpan = true;
    }
  }
  if (role === 'tool') {
    facts.toolName = clip(first(a, KEYS.tool) ?? first(a, ['traceloop.entity.name']) ?? stripPrefix(span.name, /^execute_tool\b/) ?? (span.name || 'unknown_tool'), MAX_NAME);
    facts.callId = clip(first(a, KEYS.callId), MAX_NAME);
    const args = first(a, KEYS.args);
    if (args !== undefined) facts.argsHash = createHash('sha256').update(args).digest('hex');
  }
  if (role === 'llm' || role === 'tool') facts.agentHint = clip(first(a, ['gen_ai.agent.name', 'traceloop.workflow.name', 'ai.telemetry.functionId']), MAX_NAME);
  if (role === 'handoff') facts.handoffTo = clip(first(a, ['gen_ai.handoff.to_agent']) ?? stripPrefix(span.name, /^handoff( to)?\b/i), MAX_NAME);
  if (role === 'llm' || role === 'agent' || role === 'workflow') {
    const input = firstNum(a, KEYS.input);
    const output = firstNum(a, KEYS.output);
    if (input !== undefined || output !== undefined) {
      facts.tokens = {
        input: input ?? 0,
        output: output ?? 0,
        cached_input: firstNum(a, KEYS.cached) ?? 0,
        reasoning: firstNum(a, KEYS.reasoning) ?? 0,
      };
    }
    facts.model = clip(first(a, KEYS.model), MAX_NAME);
  }
  if (role === 'llm') {
    facts.finishReason = clip(finishReason(a), MAX_NAME);
    facts.requestId = clip(first(a, ['gen_ai.response.id', 'ai.response.id']), MAX_NAME);
    facts.toolCallsRequested = requestedTools(a);
  }
  facts.sessionId = clip(first(a, KEYS.session), MAX_NAME);
  facts.userId = clip(first(a, KEYS.user), MAX_NAME);
  const r = span.resource;
  facts.service = clip(first(r, ['service.name']), MAX_NAME);
  facts.serviceVersion = clip(first(r, ['service.version']), MAX_NAME);
  facts.environment = clip(first(r, ['deployment.environment.name', 'deployment.environment']), MAX_NAME);
  return facts;
}

/** True for spans that make a trace worth assembling (anything but plain infrastructure spans). */
export const isGenAi = (f: SpanFacts): boolean => f.role !== 'other';
