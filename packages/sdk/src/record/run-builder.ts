// Accumulates one run — steps, tool calls, transitions, tokens — and turns it into the wire's Run.
// It keeps every field inside the protocol's limits, so a run the SDK sends is never refused.
// It takes times as arguments and never reads a clock itself.
import type { CompletionStatus, ErrorInfo, Run, Step, ToolCall, ToolStatus, Transition } from '@vigil/protocol';

const MAX_NAME = 256;
const MAX_ID = 256;
const MAX_TOOL_CALLS = 1_000;
const MAX_STEPS = 1_000;
const MAX_TRANSITIONS = 2_000;
const MAX_REQUESTED_TOOLS = 128;
const MAX_TAGS = 64;
const MAX_TEXT = 8_192;

export interface TokenCounts {
  input: number;
  output: number;
  cachedInput: number;
  reasoning: number;
}

export interface StepInput {
  model?: string | undefined;
  startedAt: number;
  durationMs: number;
  tokens?: Partial<TokenCounts> | undefined;
  finishReason?: string | undefined;
  requestId?: string | undefined;
  error?: ErrorInfo | undefined;
  toolCallsRequested?: string[] | undefined;
}

export interface ToolCallInput {
  name: string;
  status: ToolStatus;
  startedAt?: number | undefined;
  durationMs?: number | undefined;
  callId?: string | undefined;
  argsHash?: string | undefined;
  error?: ErrorInfo | undefined;
  /** Already redacted; only present when content capture is on. */
  arguments?: string | undefined;
}

export interface RunMeta {
  runId: string;
  agentName: string;
  startedAt: number;
  sampled: boolean;
  environment?: string | undefined;
  release?: string | undefined;
  sessionId?: string | undefined;
  userId?: string | undefined;
  tags?: Record<string, string> | undefined;
}

/** Times go out as integer epoch ms (the wire takes ISO or epoch ms); cheaper than toISOString() on the hot path. */
const epochMs = (ms: number) => Math.floor(ms);
const round = (ms: number) => Math.max(0, Math.round(ms * 1000) / 1000);
const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);
const count = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

export class RunBuilder {
  readonly meta: RunMeta;
  readonly steps: StepInput[] = [];
  readonly toolCalls: ToolCallInput[] = [];
  readonly transitions: Transition[] = [];
  readonly tags: Record<string, string> = {};
  /** Tokens not tied to a step (e.g. an Agents SDK task total). Used only when no step has tokens. */
  fallbackTokens: Partial<TokenCounts> | undefined;
  model: string | undefined;
  /** Iterations counted by the caller; when unset, the number of steps. */
  iterations: number | undefined;
  private lastState: string | undefined;

  constructor(meta: RunMeta) {
    this.meta = meta;
    for (const [k, v] of Object.entries(meta.tags ?? {})) this.setTag(k, v);
    this.transition('started', meta.startedAt);
  }

  transition(state: string, at: number): void {
    if (state === this.lastState) return;
    this.lastState = state;
    if (this.transitions.length < MAX_TRANSITIONS) this.transitions.push({ state: cut(state, MAX_NAME + 16), at: epochMs(at) });
  }

  addStep(step: StepInput): void {
    this.model ??= step.model;
    if (this.steps.length < MAX_STEPS) this.steps.push(step);
    else this.overflowTokens(step.tokens);
  }

  addToolCall(call: ToolCallInput): void {
    if (this.toolCalls.length < MAX_TOOL_CALLS) this.toolCalls.push(call);
  }

  setTag(key: string, value: string): void {
    if (key === '' || Object.keys(this.tags).length >= MAX_TAGS) return;
    this.tags[cut(key, MAX_NAME)] = cut(String(value), MAX_NAME);
  }

  /** Steps past the limit still count toward the run's tokens. */
  private overflow: TokenCounts = { input: 0, output: 0, cachedInput: 0, reasoning: 0 };
  private overflowTokens(t: Partial<TokenCounts> | undefined): void {
    if (!t) return;
    this.overflow.input += count(t.input);
    this.overflow.output += count(t.output);
    this.overflow.cachedInput += count(t.cachedInput);
    this.overflow.reasoning += count(t.reasoning);
  }

  totals(): TokenCounts {
    const sum = { ...this.overflow };
    let any = false;
    for (const s of this.steps) {
      if (!s.tokens) continue;
      any = true;
      sum.input += count(s.tokens.input);
      sum.output += count(s.tokens.output);
      sum.cachedInput += count(s.tokens.cachedInput);
      sum.reasoning += count(s.tokens.reasoning);
    }
    if (!any && this.fallbackTokens) {
      const f = this.fallbackTokens;
      return { input: count(f.input), output: count(f.output), cachedInput: count(f.cachedInput), reasoning: count(f.reasoning) };
    }
    return sum;
  }

  /** The wire Run. Unsampled runs keep the summary and each tool call's name and status, nothing more. */
  finish(status: CompletionStatus, endedAt: number, durationMs: number, error?: ErrorInfo): Run {
    const finalState = status === 'success' ? 'completed' : status;
    this.transition(finalState, endedAt);
    const t = this.totals();
    const m = this.meta;
    const run: Run = {
      run_id: cut(m.runId, MAX_ID),
      agent_name: cut(m.agentName, MAX_NAME),
      completion_status: status,
      timestamp: epochMs(m.startedAt),
      ended_at: epochMs(endedAt),
      duration_ms: round(durationMs),
      iterations: this.iterations ?? this.steps.length,
      tokens_used: t.input + t.output,
      tokens: { input: t.input, output: t.output, cached_input: t.cachedInput, reasoning: t.reasoning },
      sampled: m.sampled,
    };
    if (this.model) run.model = cut(this.model, MAX_NAME);
    if (error) run.error = trimError(error);
    if (m.environment) run.environment = cut(m.environment, MAX_NAME);
    if (m.release) run.release = cut(m.release, MAX_NAME);
    if (m.sessionId) run.session_id = cut(m.sessionId, MAX_ID);
    if (m.userId) run.user_id = cut(m.userId, MAX_ID);
    if (Object.keys(this.tags).length > 0) run.tags = { ...this.tags };
    run.tool_calls = this.toolCalls.map((c) => (m.sampled ? toolCallDetail(c) : { name: cut(c.name, MAX_NAME), status: c.status }));
    if (m.sampled) {
      run.steps = this.steps.map(stepDetail);
      run.transitions = this.transitions;
    }
    return run;
  }
}

function trimError(e: ErrorInfo): ErrorInfo {
  const out: ErrorInfo = {};
  if (e.type) out.type = cut(e.type, MAX_NAME);
  if (e.message !== undefined) out.message = cut(e.message, MAX_TEXT);
  return out;
}

function toolCallDetail(c: ToolCallInput): ToolCall {
  const out: ToolCall = { name: cut(c.name, MAX_NAME), status: c.status };
  if (c.durationMs !== undefined) out.duration_ms = round(c.durationMs);
  if (c.startedAt !== undefined) out.started_at = epochMs(c.startedAt);
  if (c.callId) out.call_id = cut(c.callId, MAX_ID);
  if (c.argsHash) out.args_hash = c.argsHash.slice(0, 128);
  if (c.error) out.error = trimError(c.error);
  if (c.arguments !== undefined) out.arguments = cut(c.arguments, MAX_TEXT);
  return out;
}

function stepDetail(s: StepInput): Step {
  const out: Step = { started_at: epochMs(s.startedAt), duration_ms: round(s.durationMs) };
  if (s.model) out.model = cut(s.model, MAX_NAME);
  if (s.tokens) {
    out.tokens = { input: count(s.tokens.input), output: count(s.tokens.output), cached_input: count(s.tokens.cachedInput), reasoning: count(s.tokens.reasoning) };
  }
  if (s.finishReason) out.finish_reason = cut(s.finishReason, MAX_NAME);
  if (s.requestId) out.request_id = cut(s.requestId, MAX_ID);
  if (s.error) out.error = trimError(s.error);
  if (s.toolCallsRequested && s.toolCallsRequested.length > 0) {
    out.tool_calls_requested = s.toolCallsRequested.slice(0, MAX_REQUESTED_TOOLS).map((n) => cut(n, MAX_NAME));
  }
  return out;
}
