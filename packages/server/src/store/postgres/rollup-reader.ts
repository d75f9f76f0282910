// Reads rollups on PostgreSQL: the range splits into whole minute/hour/day buckets exactly as on
// SQLite (rollup.ts planSegments), all segments are read in one query, and rows are summed per
// agent (and per step) in the order SQLite's reader yields them: agent, segment, bucket, name.
// A bucket may have one row per writer shard (rollup-writer.ts); they are summed like buckets, in
// shard order, so every replica adds the same numbers in the same order. Raw runs are never read.
import { COMPLETION_STATUSES } from '@vigil/protocol';
import { mergeEncoded } from '../quantile-sketch.js';
import {
  AGENT_SUM_FIELDS, MODEL_ROLLUP_LEVELS_MS, MODEL_SUM_FIELDS, ROLLUP_LEVELS_MS, TOOL_SUM_FIELDS, emptyAgentStats,
  emptyModelStats, emptyToolStats, planSegments, stepStart, type AgentRollup, type ModelRollup, type RollupQuery,
  type ToolRollup,
} from '../rollup.js';

type Row = Record<string, unknown>;
type Query = (text: string, values: unknown[]) => Promise<{ rows: Row[] }>;

const TABLES = {
  agent: { table: 'rollup_agent', name: null, levels: ROLLUP_LEVELS_MS },
  tool: { table: 'rollup_tool', name: 'tool_name', levels: ROLLUP_LEVELS_MS },
  model: { table: 'rollup_model', name: 'model', levels: MODEL_ROLLUP_LEVELS_MS },
} as const;

async function scan(query: Query, kind: keyof typeof TABLES, projectId: number, q: RollupQuery): Promise<Row[]> {
  const spec = TABLES[kind];
  const segments = planSegments(q.from, q.to, spec.levels, kind === 'model' ? undefined : q.step_ms);
  if (segments.length === 0) return [];
  // One indexed range read per segment (project_id, level_ms, bucket_start), glued with UNION ALL:
  // a join against the segment list lets the planner pick a scan of the project's every row.
  const values: unknown[] = [projectId];
  const agentFilter = q.agent_name !== undefined ? ` AND agent_name = $${values.push(q.agent_name)}` : '';
  const branches = segments.map((seg, ord) => {
    const level = `$${values.push(seg.level_ms)}`;
    const lo = `$${values.push(seg.from)}`;
    const hi = `$${values.push(seg.to)}`;
    return `SELECT *, ${ord} AS seg FROM ${spec.table} WHERE project_id = $1 AND level_ms = ${level} AND bucket_start >= ${lo} AND bucket_start < ${hi}${agentFilter}`;
  });
  const { rows } = await query(
    `SELECT * FROM (${branches.join(' UNION ALL ')}) r ORDER BY agent_name, seg, bucket_start${spec.name ? `, ${spec.name}` : ''}, shard`,
    values,
  );
  return rows;
}

export async function readAgentRollups(query: Query, projectId: number, q: RollupQuery): Promise<AgentRollup[]> {
  const out = new Map<string, AgentRollup>();
  for (const row of await scan(query, 'agent', projectId, q)) {
    const agent = row.agent_name as string;
    const bucket = stepStart(row.bucket_start as number, q);
    const key = `${agent}\u0000${bucket}`;
    let r = out.get(key);
    if (!r) {
      r = { ...emptyAgentStats(), agent_name: agent, bucket_start: bucket };
      out.set(key, r);
    }
    for (const f of AGENT_SUM_FIELDS) r[f] += row[f] as number;
    for (const s of COMPLETION_STATUSES) r.status[s] += row[`runs_${s}`] as number;
    mergeEncoded(r.duration_ms, row.duration_sketch as Buffer);
    mergeEncoded(r.tokens_used, row.tokens_sketch as Buffer);
    mergeEncoded(r.iterations, row.iterations_sketch as Buffer);
  }
  return [...out.values()];
}

export async function readToolRollups(query: Query, projectId: number, q: RollupQuery): Promise<ToolRollup[]> {
  const out = new Map<string, ToolRollup>();
  for (const row of await scan(query, 'tool', projectId, q)) {
    const agent = row.agent_name as string;
    const tool = row.tool_name as string;
    const bucket = stepStart(row.bucket_start as number, q);
    const key = `${agent}\u0000${tool}\u0000${bucket}`;
    let r = out.get(key);
    if (!r) {
      r = { ...emptyToolStats(), agent_name: agent, tool_name: tool, bucket_start: bucket };
      out.set(key, r);
    }
    for (const f of TOOL_SUM_FIELDS) r[f] += row[f] as number;
    mergeEncoded(r.duration_ms, row.duration_sketch as Buffer);
  }
  return [...out.values()];
}

export async function readModelRollups(query: Query, projectId: number, q: RollupQuery): Promise<ModelRollup[]> {
  const out = new Map<string, ModelRollup>();
  for (const row of await scan(query, 'model', projectId, q)) {
    const agent = row.agent_name as string;
    const model = row.model as string;
    const bucket = stepStart(row.bucket_start as number, q);
    const key = `${agent}\u0000${model}\u0000${bucket}`;
    let r = out.get(key);
    if (!r) {
      r = { ...emptyModelStats(), agent_name: agent, model, bucket_start: bucket };
      out.set(key, r);
    }
    for (const f of MODEL_SUM_FIELDS) r[f] += row[f] as number;
  }
  return [...out.values()];
}
