// Mapping between RunRecord and the runs/tool_calls rows. Columns hold what is filtered or
// aggregated; the rest of a run's detail (steps, transitions, tool timings) is one JSON column.
import type { ErrorInfo, RunRecord, StepRecord, ToolCallRecord, TransitionRecord } from '@vigil/protocol';

export interface RunRow {
  project_id: number;
  run_id: string;
  agent_name: string;
  ts: number;
  ended_at: number;
  duration_ms: number;
  iterations: number;
  tokens_used: number;
  tokens_input: number;
  tokens_output: number;
  tokens_cached_input: number;
  tokens_reasoning: number;
  model: string | null;
  completion_status: string;
  error_type: string | null;
  error_message: string | null;
  cost_usd: number | null;
  environment: string | null;
  release: string | null;
  session_id: string | null;
  user_id: string | null;
  tags: string | null;
  sampled: number;
  received_at: number;
  detail: string;
}

interface Detail {
  tool_calls: ToolCallRecord[];
  steps: StepRecord[];
  transitions: TransitionRecord[];
}

export function toRunRow(projectId: number, r: RunRecord): RunRow {
  const detail: Detail = { tool_calls: r.tool_calls, steps: r.steps, transitions: r.transitions };
  return {
    project_id: projectId,
    run_id: r.run_id,
    agent_name: r.agent_name,
    ts: r.timestamp,
    ended_at: r.ended_at,
    duration_ms: r.duration_ms,
    iterations: r.iterations,
    tokens_used: r.tokens_used,
    tokens_input: r.tokens.input,
    tokens_output: r.tokens.output,
    tokens_cached_input: r.tokens.cached_input,
    tokens_reasoning: r.tokens.reasoning,
    model: r.model,
    completion_status: r.completion_status,
    error_type: r.error?.type ?? null,
    error_message: r.error?.message ?? null,
    cost_usd: r.cost_usd,
    environment: r.environment,
    release: r.release,
    session_id: r.session_id,
    user_id: r.user_id,
    tags: Object.keys(r.tags).length > 0 ? JSON.stringify(r.tags) : null,
    sampled: r.sampled ? 1 : 0,
    received_at: r.received_at,
    detail: JSON.stringify(detail),
  };
}

function errorOf(type: string | null, message: string | null): ErrorInfo | null {
  if (type === null && message === null) return null;
  const e: ErrorInfo = {};
  if (type !== null) e.type = type;
  if (message !== null) e.message = message;
  return e;
}

/** Rebuilds a run; `withDetail: false` leaves steps and transitions out (list pages). */
export function fromRunRow(row: RunRow, withDetail = true): RunRecord {
  const detail = JSON.parse(row.detail) as Detail;
  return {
    run_id: row.run_id,
    agent_name: row.agent_name,
    timestamp: row.ts,
    ended_at: row.ended_at,
    duration_ms: row.duration_ms,
    iterations: row.iterations,
    tokens_used: row.tokens_used,
    tokens: {
      input: row.tokens_input,
      output: row.tokens_output,
      cached_input: row.tokens_cached_input,
      reasoning: row.tokens_reasoning,
    },
    model: row.model,
    completion_status: row.completion_status as RunRecord['completion_status'],
    error: errorOf(row.error_type, row.error_message),
    cost_usd: row.cost_usd,
    environment: row.environment,
    release: row.release,
    session_id: row.session_id,
    user_id: row.user_id,
    tags: row.tags ? (JSON.parse(row.tags) as Record<string, string>) : {},
    tool_calls: detail.tool_calls,
    steps: withDetail ? detail.steps : [],
    transitions: withDetail ? detail.transitions : [],
    sampled: row.sampled === 1,
    received_at: row.received_at,
  };
}
