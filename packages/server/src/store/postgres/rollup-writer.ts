// Applies a write group's rollup delta (store/rollup.ts) inside the group's transaction, safely
// under writers on several replicas at once. Per table, two statements:
//  1. a multi-row upsert that adds the sums (additive deltas, so concurrent writers compose) and
//     returns, for rows that already existed, the sketches as committed; it also locks those rows
//     until this transaction ends, so nobody else can change them in between;
//  2. an update that writes back each locked row's sketch merged with this group's, using the
//     engine-neutral codec of quantile-sketch.ts (the same bytes SQLite stores).
// Each writer (store instance) adds to its own shard of every rollup row, so replicas writing
// the same agents do not queue on one row's lock; readers sum the shards. Within a shard, rows
// are touched in one sorted order, so groups that share a shard queue instead of deadlocking.
import type pg from 'pg';
import { COMPLETION_STATUSES } from '@vigil/protocol';
import { decodeSketch, encodeSketch, mergeSketch, type QuantileSketch } from '../quantile-sketch.js';
import {
  AGENT_SKETCH_FIELDS, AGENT_SUM_FIELDS, expandDelta, MODEL_SUM_FIELDS, TOOL_SUM_FIELDS, type AgentDelta, type ModelDelta,
  type RollupDelta, type ToolDelta,
} from '../rollup.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Shards a writer picks from. Two replicas on the same shard are still correct (they queue on
 * the shared rows, as without shards); with a few replicas among 64 shards that is rare, and a
 * read sums at most one row per replica per bucket.
 */
export const ROLLUP_SHARDS = 64;

/** A shard for a new writer. */
export const pickRollupShard = (): number => Math.floor(Math.random() * ROLLUP_SHARDS);

/** Sums stored as double precision; every other sum and count is bigint. */
const FLOAT_SUMS = new Set(['duration_ms_sum', 'cost_usd_sum']);

interface TableSpec<D> {
  table: string;
  keys: readonly (readonly [string, string, (d: D) => unknown])[];
  sums: readonly (readonly [string, (d: D) => number])[];
  sketches: readonly (readonly [string, (d: D) => QuantileSketch])[];
}

const KEY_COLUMNS = [
  ['project_id', 'int4', (d: { project_id: number }) => d.project_id],
  ['agent_name', 'text', (d: { agent_name: string }) => d.agent_name],
  ['level_ms', 'int4', (d: { level_ms: number }) => d.level_ms],
  ['bucket_start', 'int8', (d: { bucket_start: number }) => d.bucket_start],
] as const;

const AGENT_SKETCH_COLUMNS: Record<(typeof AGENT_SKETCH_FIELDS)[number], string> = {
  duration_ms: 'duration_sketch', tokens_used: 'tokens_sketch', iterations: 'iterations_sketch',
};

const AGENT_SPEC: TableSpec<AgentDelta> = {
  table: 'rollup_agent',
  keys: KEY_COLUMNS,
  sums: [
    ...COMPLETION_STATUSES.map((s) => [`runs_${s}`, (d: AgentDelta) => d.status[s]] as const),
    ...AGENT_SUM_FIELDS.map((f) => [f, (d: AgentDelta) => d[f]] as const),
  ],
  sketches: AGENT_SKETCH_FIELDS.map((f) => [AGENT_SKETCH_COLUMNS[f], (d: AgentDelta) => d[f]] as const),
};

const TOOL_SPEC: TableSpec<ToolDelta> = {
  table: 'rollup_tool',
  keys: [...KEY_COLUMNS, ['tool_name', 'text', (d: ToolDelta) => d.tool_name]],
  sums: TOOL_SUM_FIELDS.map((f) => [f, (d: ToolDelta) => d[f]] as const),
  sketches: [['duration_sketch', (d: ToolDelta) => d.duration_ms]],
};

const MODEL_SPEC: TableSpec<ModelDelta> = {
  table: 'rollup_model',
  keys: [...KEY_COLUMNS, ['model', 'text', (d: ModelDelta) => d.model]],
  sums: MODEL_SUM_FIELDS.map((f) => [f, (d: ModelDelta) => d[f]] as const),
  sketches: [],
};

const sumType = (column: string): string => (FLOAT_SUMS.has(column) ? 'float8' : 'int8');

/** The row key as a string, for matching returned rows back to their delta entry. */
const rowKey = (values: unknown[]): string => values.map(String).join('\u0000');

async function applyTable<D>(db: Queryable, tableSpec: TableSpec<D>, entries: D[], shard: number): Promise<void> {
  if (entries.length === 0) return;
  const spec: TableSpec<D> = { ...tableSpec, keys: [...tableSpec.keys, ['shard', 'int2', () => shard]] };
  const byKey = new Map<string, D>();
  for (const d of entries) byKey.set(rowKey(spec.keys.map(([, , get]) => get(d))), d);
  // One order on every replica: lexical over the key string.
  const sorted = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);

  const columns = [
    ...spec.keys.map(([c, t, get]) => ({ c, t, get })),
    ...spec.sums.map(([c, get]) => ({ c, t: sumType(c), get: get as (d: D) => unknown })),
    ...spec.sketches.map(([c, get]) => ({ c, t: 'bytea', get: (d: D) => encodeSketch(get(d)) })),
  ];
  const keyNames = spec.keys.map(([c]) => c);
  const sets = spec.sums.map(([c]) => `${c} = r.${c} + excluded.${c}`);
  const sketchNames = spec.sketches.map(([c]) => c);
  const returning = [...keyNames, '(xmax = 0) AS inserted', ...sketchNames].join(', ');
  const upsert = await db.query<Record<string, unknown>>(
    `INSERT INTO ${spec.table} AS r (${columns.map((x) => x.c).join(', ')})
     SELECT * FROM unnest(${columns.map((x, i) => `$${i + 1}::${x.t}[]`).join(', ')})
     ON CONFLICT (${keyNames.join(', ')}) DO UPDATE SET ${sets.join(', ')}
     RETURNING ${returning}`,
    columns.map((x) => sorted.map((d) => x.get(d))),
  );
  if (sketchNames.length === 0) return;

  // Rows that existed: merge our sketches into the committed ones, which we now hold locked.
  const merged: { keys: unknown[]; sketches: Buffer[] }[] = [];
  for (const row of upsert.rows) {
    if (row.inserted) continue;
    const keys = keyNames.map((k) => row[k]);
    const delta = byKey.get(rowKey(keys));
    if (!delta) continue;
    merged.push({
      keys,
      sketches: spec.sketches.map(([c, get]) => {
        const sketch = decodeSketch(row[c] as Buffer);
        mergeSketch(sketch, get(delta));
        return encodeSketch(sketch);
      }),
    });
  }
  if (merged.length === 0) return;
  const all = [...spec.keys.map(([c, t]) => ({ c, t })), ...sketchNames.map((c) => ({ c, t: 'bytea' }))];
  const values = [
    ...keyNames.map((_, i) => merged.map((m) => m.keys[i])),
    ...sketchNames.map((_, i) => merged.map((m) => m.sketches[i])),
  ];
  await db.query(
    `UPDATE ${spec.table} AS r SET ${sketchNames.map((c) => `${c} = u.${c}`).join(', ')}
     FROM unnest(${all.map((x, i) => `$${i + 1}::${x.t}[]`).join(', ')}) AS u(${all.map((x) => x.c).join(', ')})
     WHERE ${keyNames.map((k) => `r.${k} = u.${k}`).join(' AND ')}`,
    values,
  );
}

/** Adds a group's delta to this writer's shard of the rollup tables, in the caller's transaction. */
export async function applyRollupDelta(db: Queryable, minuteDelta: RollupDelta, shard: number): Promise<void> {
  // Runs add to their finest bucket only; the hour and day entries are derived once per group.
  const delta = expandDelta(minuteDelta);
  await applyTable(db, AGENT_SPEC, [...delta.agents.values()], shard);
  await applyTable(db, TOOL_SPEC, [...delta.tools.values()], shard);
  await applyTable(db, MODEL_SPEC, [...delta.models.values()], shard);
}
