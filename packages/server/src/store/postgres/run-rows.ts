// Runs and tool calls as PostgreSQL rows, written many at a time: each column travels as one
// array parameter and unnest() turns the arrays back into rows, so a group of any size is one
// statement with a fixed parameter list (no 65,535-parameter limit, one cached plan).
// The RunRecord <-> row mapping itself is engine-neutral and shared with SQLite.
import type { RunRecord } from '@vigil/protocol';
import { fromRunRow, toRunRow, type RunRow } from '../sqlite/run-rows.js';

export { fromRunRow, toRunRow, type RunRow };

/** Column name and PostgreSQL array type, in insert order. */
export const RUN_COLUMNS: readonly (readonly [keyof RunRow, string])[] = [
  ['project_id', 'int4'], ['run_id', 'text'], ['agent_name', 'text'], ['ts', 'int8'], ['ended_at', 'int8'],
  ['duration_ms', 'float8'], ['iterations', 'int4'], ['tokens_used', 'int8'], ['tokens_input', 'int8'],
  ['tokens_output', 'int8'], ['tokens_cached_input', 'int8'], ['tokens_reasoning', 'int8'], ['model', 'text'],
  ['completion_status', 'text'], ['error_type', 'text'], ['error_message', 'text'], ['cost_usd', 'float8'],
  ['environment', 'text'], ['release', 'text'], ['session_id', 'text'], ['user_id', 'text'], ['tags', 'text'],
  ['sampled', 'int2'], ['received_at', 'int8'], ['detail', 'text'],
];

export interface ToolCallRow {
  project_id: number;
  run_id: string;
  run_ts: number;
  seq: number;
  agent_name: string;
  ts: number;
  name: string;
  status: string;
  duration_ms: number | null;
  args_hash: string | null;
  error_type: string | null;
}

export const TOOL_CALL_COLUMNS: readonly (readonly [keyof ToolCallRow, string])[] = [
  ['project_id', 'int4'], ['run_id', 'text'], ['run_ts', 'int8'], ['seq', 'int4'], ['agent_name', 'text'],
  ['ts', 'int8'], ['name', 'text'], ['status', 'text'], ['duration_ms', 'float8'], ['args_hash', 'text'],
  ['error_type', 'text'],
];

export function toToolCallRows(projectId: number, run: RunRecord): ToolCallRow[] {
  return run.tool_calls.map((t, seq) => ({
    project_id: projectId,
    run_id: run.run_id,
    run_ts: run.timestamp,
    seq,
    agent_name: run.agent_name,
    ts: t.started_at ?? run.timestamp,
    name: t.name,
    status: t.status,
    duration_ms: t.duration_ms,
    args_hash: t.args_hash,
    error_type: t.error?.type ?? null,
  }));
}

/** `INSERT INTO table (cols) SELECT * FROM unnest($1::t[], …)` and its parameters, one array per column. */
export function unnestInsert<R>(table: string, columns: readonly (readonly [keyof R, string])[], rows: readonly R[]): { text: string; values: unknown[][] } {
  const names = columns.map(([c]) => String(c)).join(', ');
  const arrays = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const values = columns.map(([c]) => rows.map((r) => r[c]));
  return { text: `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})`, values };
}
