// VigilTraceProcessor: turns OpenAI Agents SDK traces into Vigil runs. Each Runner.run() is a
// run, keyed by its root span (the task span, or the first agent span when task spans are off);
// turns are iterations, function spans are tool calls, handoffs are transitions. A failed run is
// finished when its root span ends, because the Agents SDK does not call onTraceEnd when a run
// throws. It only reads spans; it never changes them and never throws into the runner.
import type { TracingProcessor } from '@openai/agents';
import type { CompletionStatus, ErrorInfo } from '@vigil/protocol';
import { describeError } from '../logger.js';
import { hashArgs, argsToText } from '../record/args-hash.js';
import { RunBuilder, type TokenCounts } from '../record/run-builder.js';
import { chatUsage, responsesUsage } from '../openai/read-usage.js';
import { declaredAgent, declaredToolTimeoutMs, flush, getLogger, getRuntime, isEnabled, newRunId, sampleRun, submitRun } from '../runtime.js';

/** The parts of an Agents SDK span this processor reads (structurally compatible with `Span<any>`). */
export interface AgentsSpanLike {
  spanId: string;
  traceId: string;
  parentId: string | null;
  spanData: { type: string; [key: string]: unknown };
  error: { message: string; data?: Record<string, unknown> } | null;
  startedAt: string | null;
  endedAt: string | null;
}

/** The parts of an Agents SDK trace this processor reads. */
export interface AgentsTraceLike {
  traceId: string;
  name: string;
  groupId?: string | null;
  metadata?: Record<string, unknown> | undefined;
}

export interface VigilTraceProcessorOptions {
  /** Agent name for every run; default: the name of the run's first agent. */
  agent?: string;
}

/** The message and pattern the Agents SDK uses when a function tool times out with `error_as_result`. */
const TIMEOUT_OUTPUT = /^Tool '.*' timed out after \d+ms\.?$/s;
const MAX_TURNS_MESSAGE = 'Max turns exceeded';

interface PendingTurn {
  model?: string | undefined;
  reasoning: number;
  usage?: Partial<TokenCounts> | undefined;
  finishReason?: string | undefined;
  requestId?: string | undefined;
  tools: string[];
}

interface PendingRun {
  rootSpanId: string;
  traceId: string;
  builder: RunBuilder | undefined;
  agentName: string | undefined;
  startedAt: number;
  t0: number;
  turns: number;
  models: number;
  maxTurnsHit: boolean;
  spanIds: string[];
  turnState: Map<string, PendingTurn>;
  /** Tokens from model spans, used when turn spans carry none. */
  modelTokens: TokenCounts;
  modelTokensSeen: boolean;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const ms = (iso: string | null, fallback: number): number => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : fallback;
};

export class VigilTraceProcessor {
  readonly #options: VigilTraceProcessorOptions;
  readonly #runs = new Map<string, PendingRun>();
  readonly #spanToRun = new Map<string, PendingRun>();

  constructor(options: VigilTraceProcessorOptions = {}) {
    this.#options = options;
  }

  start(): void {}

  async onTraceStart(_trace: AgentsTraceLike): Promise<void> {}

  /** Finishes runs whose root span never ended (a trace that ended without them). */
  async onTraceEnd(trace: AgentsTraceLike): Promise<void> {
    this.#guard('trace end', () => {
      for (const run of [...this.#runs.values()]) if (run.traceId === trace.traceId) this.#finish(run, undefined, Date.now());
    });
  }

  async onSpanStart(span: AgentsSpanLike): Promise<void> {
    this.#guard('span start', () => {
      if (!isEnabled()) return;
      let run = span.parentId ? this.#spanToRun.get(span.parentId) : undefined;
      const type = span.spanData.type;
      if (!run) {
        if (type !== 'task' && type !== 'agent') return;
        const startedAt = ms(span.startedAt, Date.now());
        run = {
          rootSpanId: span.spanId,
          traceId: span.traceId,
          builder: undefined,
          agentName: this.#options.agent,
          startedAt,
          t0: performance.now(),
          turns: 0,
          models: 0,
          maxTurnsHit: false,
          spanIds: [],
          turnState: new Map(),
          modelTokens: { input: 0, output: 0, cachedInput: 0, reasoning: 0 },
          modelTokensSeen: false,
        };
        this.#runs.set(span.spanId, run);
      }
      run.spanIds.push(span.spanId);
      this.#spanToRun.set(span.spanId, run);
      const at = ms(span.startedAt, Date.now());
      if (type === 'agent') {
        run.agentName ??= str(span.spanData.name);
        this.#builder(run);
      } else if (type === 'turn') {
        run.turnState.set(span.spanId, { reasoning: 0, tools: [] });
      } else if (type === 'generation' || type === 'response') {
        this.#builder(run)?.transition('thinking', at);
      } else if (type === 'function') {
        this.#builder(run)?.transition(`tool:${str(span.spanData.name) ?? 'unknown'}`, at);
      }
    });
  }

  async onSpanEnd(span: AgentsSpanLike): Promise<void> {
    this.#guard('span end', () => {
      const run = this.#spanToRun.get(span.spanId);
      if (!run) return;
      const d = span.spanData;
      const endedAt = ms(span.endedAt, Date.now());
      const startedAt = ms(span.startedAt, endedAt);
      switch (d.type) {
        case 'agent':
          if (span.error?.message === MAX_TURNS_MESSAGE) run.maxTurnsHit = true;
          break;
        case 'turn':
          this.#endTurn(run, span, startedAt, endedAt);
          break;
        case 'generation':
        case 'response':
          this.#endModelCall(run, span);
          break;
        case 'function':
          this.#endFunction(run, span, startedAt, endedAt);
          break;
        case 'handoff': {
          const to = str(d.to_agent);
          if (to) this.#builder(run)?.transition(`handoff:${to}`, endedAt);
          break;
        }
        case 'task': {
          const usage = obj(d.usage);
          if (usage && run.builder) {
            run.builder.fallbackTokens = { input: num(usage.input_tokens), output: num(usage.output_tokens), cachedInput: num(usage.cached_input_tokens) };
          }
          break;
        }
      }
      if (span.spanId === run.rootSpanId) this.#finish(run, span, endedAt);
    });
  }

  async shutdown(timeout?: number): Promise<void> {
    await flush(timeout);
  }

  async forceFlush(): Promise<void> {
    await flush();
  }

  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      getLogger().once(`agents:${what}`, 'error', `VigilTraceProcessor ${what} failed: ${describeError(err)}`);
    }
  }

  /** Created once the agent's name is known, so the declared model and run start come with it. */
  #builder(run: PendingRun): RunBuilder | undefined {
    if (run.builder) return run.builder;
    const agentName = run.agentName;
    if (!agentName) return undefined;
    run.builder = new RunBuilder({ runId: newRunId(), agentName, startedAt: run.startedAt, sampled: sampleRun() });
    run.builder.model = declaredAgent(agentName)?.model;
    return run.builder;
  }

  #turnOf(run: PendingRun, span: AgentsSpanLike): PendingTurn | undefined {
    return span.parentId ? run.turnState.get(span.parentId) : undefined;
  }

  #endModelCall(run: PendingRun, span: AgentsSpanLike): void {
    run.models++;
    const d = span.spanData;
    const response = obj(d._response);
    const model = str(d.model) ?? str(response?.model);
    const usage = response ? responsesUsage(response.usage) : generationUsage(d.usage);
    const turn = this.#turnOf(run, span);
    if (turn) {
      turn.model ??= model;
      turn.reasoning += num(usage?.reasoning);
      turn.usage = usage;
      turn.requestId ??= str(d.response_id);
      if (response) {
        const output = Array.isArray(response.output) ? response.output : [];
        for (const item of output) {
          const it = obj(item);
          if (str(it?.type) === 'function_call') turn.tools.push(str(it?.name) ?? 'function_call');
        }
        turn.finishReason = str(response.status);
      }
    }
    if (usage) {
      run.modelTokensSeen = true;
      run.modelTokens.input += num(usage.input);
      run.modelTokens.output += num(usage.output);
      run.modelTokens.cachedInput += num(usage.cachedInput);
      run.modelTokens.reasoning += num(usage.reasoning);
    }
    if (model && run.builder && !run.builder.steps.length) run.builder.model = model;
  }

  #endTurn(run: PendingRun, span: AgentsSpanLike, startedAt: number, endedAt: number): void {
    run.turns++;
    const turn = run.turnState.get(span.spanId);
    run.turnState.delete(span.spanId);
    const builder = this.#builder(run);
    if (!builder) return;
    const usage = obj(span.spanData.usage);
    const tokens: Partial<TokenCounts> | undefined = usage
      ? { input: num(usage.input_tokens), output: num(usage.output_tokens), cachedInput: num(usage.cached_input_tokens), reasoning: turn?.reasoning ?? 0 }
      : turn?.usage;
    const error: ErrorInfo | undefined = span.error ? { type: 'TurnError', message: errorText(span.error) } : undefined;
    builder.addStep({
      model: turn?.model,
      startedAt,
      durationMs: endedAt - startedAt,
      tokens,
      finishReason: turn?.finishReason,
      requestId: turn?.requestId,
      error,
      toolCallsRequested: turn?.tools,
    });
  }

  #endFunction(run: PendingRun, span: AgentsSpanLike, startedAt: number, endedAt: number): void {
    const builder = this.#builder(run);
    if (!builder) return;
    const d = span.spanData;
    const name = str(d.name) ?? 'unknown';
    const output = typeof d.output === 'string' ? d.output : '';
    const input = typeof d.input === 'string' ? d.input : '';
    const durationMs = endedAt - startedAt;
    const declaredTimeout = declaredToolTimeoutMs(builder.meta.agentName, name);
    let status: 'success' | 'error' | 'timeout' = 'success';
    let error: ErrorInfo | undefined;
    const errData = span.error ? errorText(span.error) : '';
    if (TIMEOUT_OUTPUT.test(output) || /ToolTimeoutError|timed out after/i.test(errData)) {
      // error_as_result (the default) reports a timeout only as the tool's output text.
      status = 'timeout';
      error = { type: 'ToolTimeoutError', message: TIMEOUT_OUTPUT.test(output) ? output : errData };
    } else if (span.error) {
      status = 'error';
      error = { type: 'ToolError', message: errData };
    } else if (!output && declaredTimeout !== undefined && durationMs >= declaredTimeout) {
      // Without sensitive data the output is not in the span; the declared timeout still tells.
      status = 'timeout';
      error = { type: 'ToolTimeoutError', message: `ran ${Math.round(durationMs)}ms, declared timeout_ms ${declaredTimeout}` };
    }
    const config = getRuntime().config;
    let captured: string | undefined;
    if (config.captureContent && input) {
      const text = argsToText(input);
      captured = config.redact ? config.redact(text, { kind: 'tool_arguments', agentName: builder.meta.agentName, toolName: name }) : text;
    }
    builder.addToolCall({
      name,
      status,
      startedAt,
      durationMs,
      argsHash: input ? hashArgs(input) : undefined,
      error,
      arguments: captured,
    });
  }

  #finish(run: PendingRun, root: AgentsSpanLike | undefined, endedAt: number): void {
    this.#runs.delete(run.rootSpanId);
    for (const id of run.spanIds) this.#spanToRun.delete(id);
    if (!isEnabled()) return;
    run.agentName ??= 'unknown_agent';
    const builder = this.#builder(run);
    if (!builder) return;
    let status: CompletionStatus = 'success';
    let error: ErrorInfo | undefined;
    if (run.maxTurnsHit) {
      status = 'iteration_limit';
      error = { type: 'MaxTurnsExceededError', message: root?.error ? errorText(root.error) : MAX_TURNS_MESSAGE };
    } else if (root?.error) {
      const text = errorText(root.error);
      const type = /^([A-Za-z_$][\w$]*(?:Error|Triggered))\b/.exec(text)?.[1];
      status = statusOfAgentsError(type, text);
      error = { type: type ?? 'AgentRunError', message: text };
    }
    // Turns are the iterations; without turn spans (tracing options), model calls are.
    builder.iterations = run.turns > 0 ? run.turns : run.models;
    if (!builder.steps.some((s) => s.tokens) && run.modelTokensSeen && !builder.fallbackTokens) builder.fallbackTokens = run.modelTokens;
    submitRun(builder.finish(status, endedAt, Math.max(0, endedAt - run.startedAt), error));
  }
}

function generationUsage(u: unknown): Partial<TokenCounts> | undefined {
  const usage = obj(u);
  if (!usage) return undefined;
  if ('prompt_tokens' in usage) return chatUsage(usage);
  const details = obj(usage.details);
  return {
    input: num(usage.input_tokens),
    output: num(usage.output_tokens),
    cachedInput: num(obj(details?.input_tokens_details)?.cached_tokens ?? usage.cached_input_tokens),
    reasoning: num(obj(details?.output_tokens_details)?.reasoning_tokens ?? usage.reasoning_tokens),
  };
}

function errorText(e: { message: string; data?: Record<string, unknown> }): string {
  const detail = e.data?.error;
  if (typeof detail === 'string' && detail !== '' && detail !== 'Error') return detail.slice(0, 8_192);
  return e.message.slice(0, 8_192);
}

function statusOfAgentsError(type: string | undefined, text: string): CompletionStatus {
  switch (type) {
    case 'MaxTurnsExceededError':
      return 'iteration_limit';
    case 'ToolTimeoutError':
    case 'ModelTimeoutError':
      return 'timeout';
    case 'ModelRefusalError':
      return 'gave_up';
    case 'AbortError':
    case 'APIUserAbortError':
      return 'cancelled';
  }
  if (/\baborted\b/i.test(text)) return 'cancelled';
  return 'error';
}

// Compile-time proof that the processor fits the Agents SDK's interface; erased from the output,
// so @openai/agents stays an optional peer.
type _FitsAgentsSdk = VigilTraceProcessor extends TracingProcessor ? true : never;
const _fits: _FitsAgentsSdk = true;
void _fits;
