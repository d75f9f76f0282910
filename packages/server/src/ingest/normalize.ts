// Wire run → RunRecord: resolves times to epoch ms, fills derived numbers, prices the run.
// It checks what the schema cannot (field relations) and reports those issues by path.
import {
  parseTime, type ErrorInfo, type Issue, type Run, type RunRecord, type StepRecord, type TokenSplit, type Tokens,
  type ToolCallRecord,
} from '@vigil/protocol';

/** Prices a run's tokens in USD; null when the model's price is unknown. */
export type PriceFn = (model: string, tokens: TokenSplit) => number | null;

export type Normalized = { ok: true; runs: RunRecord[] } | { ok: false; issues: Issue[] };

const tokenSplit = (t: Tokens | undefined): TokenSplit => ({
  input: t?.input ?? 0,
  output: t?.output ?? 0,
  cached_input: t?.cached_input ?? 0,
  reasoning: t?.reasoning ?? 0,
});

const errorOrNull = (e: ErrorInfo | undefined): ErrorInfo | null => (e && (e.type !== undefined || e.message !== undefined) ? e : null);

function sumSteps(steps: StepRecord[]): TokenSplit {
  const s: TokenSplit = { input: 0, output: 0, cached_input: 0, reasoning: 0 };
  for (const st of steps) {
    s.input += st.tokens.input;
    s.output += st.tokens.output;
    s.cached_input += st.tokens.cached_input;
    s.reasoning += st.tokens.reasoning;
  }
  return s;
}

export function normalizeRun(run: Run, receivedAt: number, path: string, price: PriceFn | null, issues: Issue[]): RunRecord {
  const duration = run.duration_ms;
  const start = run.timestamp !== undefined ? parseTime(run.timestamp) : undefined;
  const end = run.ended_at !== undefined ? parseTime(run.ended_at) : undefined;
  const durationMs = duration ?? (start !== undefined && end !== undefined ? Math.max(0, end - start) : 0);
  // DESIGN: when timestamp is absent, the run started at receive time minus its duration.
  const timestamp = start ?? (end !== undefined ? end - durationMs : receivedAt - durationMs);
  const endedAt = end ?? timestamp + durationMs;
  if (endedAt < timestamp) issues.push({ path: `${path}/ended_at`, message: 'must not be before timestamp' });

  const steps: StepRecord[] = (run.steps ?? []).map((s) => ({
    model: s.model ?? null,
    started_at: s.started_at !== undefined ? (parseTime(s.started_at) ?? null) : null,
    duration_ms: s.duration_ms ?? null,
    tokens: tokenSplit(s.tokens),
    finish_reason: s.finish_reason ?? null,
    request_id: s.request_id ?? null,
    error: errorOrNull(s.error),
    tool_calls_requested: s.tool_calls_requested ?? [],
  }));
  const toolCalls: ToolCallRecord[] = (run.tool_calls ?? []).map((t) => ({
    name: t.name,
    status: t.status,
    duration_ms: t.duration_ms ?? null,
    started_at: t.started_at !== undefined ? (parseTime(t.started_at) ?? null) : null,
    call_id: t.call_id ?? null,
    args_hash: t.args_hash ?? null,
    error: errorOrNull(t.error),
    arguments: t.arguments ?? null,
  }));

  // Token split: as sent, else summed from the steps. Total: as sent, else input + output
  // (OpenAI counts cached input inside input and reasoning inside output).
  const tokens = run.tokens ? tokenSplit(run.tokens) : sumSteps(steps);
  const tokensUsed = run.tokens_used ?? tokens.input + tokens.output;
  const model = run.model ?? steps.find((s) => s.model !== null)?.model ?? null;
  // A model call that answered without reporting usage (a stream without usage, say) leaves the
  // run's cost unknown, never priced as if it used no tokens; a failed call is not billed.
  const usageKnown = run.tokens !== undefined || run.tokens_used !== undefined
    || ((run.steps?.length ?? 0) > 0 && run.steps!.every((s) => s.tokens !== undefined || s.error !== undefined));
  const cost = run.cost_usd ?? (model !== null && price && usageKnown ? price(model, tokens) : null);

  return {
    run_id: run.run_id,
    agent_name: run.agent_name,
    timestamp,
    ended_at: endedAt,
    duration_ms: durationMs,
    iterations: run.iterations ?? steps.length,
    tokens_used: tokensUsed,
    tokens,
    model,
    completion_status: run.completion_status,
    error: errorOrNull(run.error),
    cost_usd: cost,
    environment: run.environment ?? null,
    release: run.release ?? null,
    session_id: run.session_id ?? null,
    user_id: run.user_id ?? null,
    tags: run.tags ? { ...run.tags } : {},
    tool_calls: toolCalls,
    steps,
    transitions: (run.transitions ?? []).map((t) => ({ state: t.state, at: parseTime(t.at) ?? timestamp })),
    sampled: run.sampled ?? true,
    received_at: receivedAt,
  };
}

/** Normalizes a request's runs; `pathOf(i)` names each run's place in the body. */
export function normalizeRuns(runs: Run[], receivedAt: number, pathOf: (i: number) => string, price: PriceFn | null): Normalized {
  const issues: Issue[] = [];
  const records = runs.map((r, i) => normalizeRun(r, receivedAt, pathOf(i), price, issues));
  return issues.length > 0 ? { ok: false, issues } : { ok: true, runs: records };
}
