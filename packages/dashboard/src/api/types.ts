// Shapes of the read API's answers, as the dashboard uses them (DESIGN.md's public contract).
// Fields another module may add later are optional here, and the pages show them when present.

export type CompletionStatus = 'success' | 'error' | 'iteration_limit' | 'timeout' | 'cancelled' | 'gave_up';
export const COMPLETION_STATUSES: CompletionStatus[] = ['success', 'error', 'iteration_limit', 'timeout', 'cancelled', 'gave_up'];
export type ToolStatus = 'success' | 'error' | 'timeout';

export interface TokenSplit {
  input: number;
  output: number;
  cached_input: number;
  reasoning: number;
}

export interface ErrorInfo {
  type?: string | null;
  message?: string | null;
}

export interface ToolCall {
  name: string;
  status: ToolStatus;
  duration_ms: number | null;
  started_at: string | null;
  call_id: string | null;
  args_hash: string | null;
  error: ErrorInfo | null;
  arguments?: string | null;
}

export interface Step {
  model: string | null;
  started_at: string | null;
  duration_ms: number | null;
  tokens: TokenSplit;
  finish_reason: string | null;
  request_id?: string | null;
  error?: ErrorInfo | null;
  tool_calls_requested?: string[];
}

export interface Run {
  run_id: string;
  agent_name: string;
  timestamp: string;
  ended_at: string;
  duration_ms: number;
  iterations: number;
  tokens_used: number;
  tokens: TokenSplit;
  model: string | null;
  completion_status: CompletionStatus;
  error: ErrorInfo | null;
  cost_usd: number | null;
  environment: string | null;
  release: string | null;
  session_id: string | null;
  user_id: string | null;
  tags: Record<string, string>;
  tool_calls: ToolCall[];
  steps: Step[];
  transitions: { state: string; at: string }[];
  sampled?: boolean;
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
