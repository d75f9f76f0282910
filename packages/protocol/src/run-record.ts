// The normalized run: what ingest hands the store and the read API returns. Times are epoch ms,
// every optional number is resolved, so the store and analytics never guess.
import type { CompletionStatus, ErrorInfo, ToolStatus } from './run-schema.js';

export interface TokenSplit {
  input: number;
  output: number;
  cached_input: number;
  reasoning: number;
}

export interface ToolCallRecord {
  name: string;
  status: ToolStatus;
  duration_ms: number | null;
  started_at: number | null;
  call_id: string | null;
  args_hash: string | null;
  error: ErrorInfo | null;
  arguments: string | null;
}

export interface StepRecord {
  model: string | null;
  started_at: number | null;
  duration_ms: number | null;
  tokens: TokenSplit;
  finish_reason: string | null;
  request_id: string | null;
  error: ErrorInfo | null;
  tool_calls_requested: string[];
}

export interface TransitionRecord {
  state: string;
  at: number;
}

export interface RunRecord {
  run_id: string;
  agent_name: string;
  /** Run start, epoch ms. */
  timestamp: number;
  ended_at: number;
  duration_ms: number;
  iterations: number;
  tokens_used: number;
  tokens: TokenSplit;
  model: string | null;
  completion_status: CompletionStatus;
  error: ErrorInfo | null;
  /** Null when the model's price is unknown: never priced at zero by guess. */
  cost_usd: number | null;
  environment: string | null;
  release: string | null;
  session_id: string | null;
  user_id: string | null;
  tags: Record<string, string>;
  tool_calls: ToolCallRecord[];
  steps: StepRecord[];
  transitions: TransitionRecord[];
  sampled: boolean;
  /** When the server received it, epoch ms. */
  received_at: number;
}
