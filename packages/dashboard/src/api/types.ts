// Shapes of the read API's answers, as the dashboard uses them (DESIGN.md's public contract).
// Fields another module may add later are optional here, and the pages show them when present.

import type { CompletionStatus, RunRecord, StepRecord, ToolCallRecord } from '@vigil/protocol';

export type { CompletionStatus, ErrorInfo, TokenSplit, ToolStatus } from '@vigil/protocol';

// Every status, for filters, in DESIGN's order. A runtime copy, because importing
// @vigil/protocol's value would bundle its validators; `satisfies` fails the build when the two
// lists differ either way.
const STATUS_SET = { success: 1, error: 1, iteration_limit: 1, timeout: 1, cancelled: 1, gave_up: 1 } satisfies Record<CompletionStatus, 1>;
export const COMPLETION_STATUSES = Object.keys(STATUS_SET) as CompletionStatus[];

/** A record as JSON: the named epoch-ms fields come as ISO 8601 strings (null stays null). */
type IsoTimes<T, K extends keyof T> = Omit<T, K> & { [P in K]: null extends T[P] ? string | null : string };

export type ToolCall = IsoTimes<ToolCallRecord, 'started_at'>;
export type Step = IsoTimes<StepRecord, 'started_at'>;

/** A run as `GET /api/runs` and `GET /api/runs/:run_id` return it (the server's run-json.ts). */
export interface Run extends IsoTimes<Omit<RunRecord, 'tool_calls' | 'steps' | 'transitions'>, 'timestamp' | 'ended_at' | 'received_at'> {
  tool_calls: ToolCall[];
  steps: Step[];
  transitions: { state: string; at: string }[];
}

export interface RunPage {
  runs: Run[];
  next_cursor: string | null;
}

export interface AgentSummary {
  agent_name: string;
  runs: number;
  success_rate: number;
  p50_latency_ms: number;
  p95_latency_ms: number;
  p99_latency_ms: number;
  avg_tokens: number;
  total_tokens: number;
  cost_usd: number;
  avg_iterations: number;
  tool_error_rate: number;
  status_counts?: Partial<Record<CompletionStatus, number>>;
  tokens_per_success?: number;
  priced_runs?: number;
  unpriced_runs?: number;
  /** Models of this agent's runs that the price table does not know: their runs have no cost. */
  unpriced_models?: string[];
  [extra: string]: unknown;
}

export interface AgentsResponse {
  agents: AgentSummary[];
}

export interface SeriesPoint {
  t: number;
  value: number | null;
}

export interface ToolUsage {
  tool: string;
  declared: boolean;
  timeout_ms?: number | null;
  calls: number;
  calls_per_run: number;
  runs_with_tool?: number;
  error_rate: number;
  timeout_rate: number;
  p95_duration_ms: number;
  repeated_args_calls?: number;
  baseline_calls_per_run?: number | null;
  never_used: boolean;
  overused: boolean;
  overuse_reasons?: string[];
}

export interface AlertHistoryEntry {
  alertname: string;
  labels: Record<string, string>;
  state: AlertState | 'inactive';
  value: number;
  at: string;
  fingerprint: string;
  annotations: Record<string, string>;
}

export type AlertState = 'firing' | 'pending' | 'resolved';

export interface Alert {
  alertname: string;
  labels: Record<string, string>;
  state: AlertState;
  value: number | null;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  firedAt?: string | null;
  fingerprint?: string;
  silenced?: boolean;
  silencedBy?: string[];
}

export interface Silence {
  id: string;
  matchers: { name: string; value: string; isRegex?: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  comment?: string;
  createdBy?: string;
  [extra: string]: unknown;
}

export interface Session {
  authenticated: true;
  project_id: number;
  key_id: string;
  scopes: string[];
}

export interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  created_at: string;
  revoked_at: string | null;
}
