// Reads rollups: splits the range into whole minute/hour/day buckets (rollup.ts planSegments),
// reads each agent's rows by primary-key range, and sums them per agent (and per step). Raw runs
// are never read here.
import type Database from 'better-sqlite3';
import { COMPLETION_STATUSES } from '@vigil/protocol';
import { mergeEncoded } from '../quantile-sketch.js';
import {
  AGENT_SUM_FIELDS, MODEL_ROLLUP_LEVELS_MS, MODEL_SUM_FIELDS, ROLLUP_LEVELS_MS, TOOL_SUM_FIELDS, emptyAgentStats,
  emptyModelStats, emptyToolStats, planSegments, stepStart, type AgentRollup, type ModelRollup, type RollupQuery,
  type ToolRollup,
} from '../rollup.js';

type Row = (number | string | Buffer)[];

const AGENT_COLUMNS = [
  'agent_name', 'bucket_start', ...COMPLETION_STATUSES.map((st) => `runs_${st}`), ...AGENT_SUM_FIELDS,
  'duration_sketch', 'tokens_sketch', 'iterations_sketch',
];
const TOOL_COLUMNS = ['agent_name', 'bucket_start', 'tool_name', ...TOOL_SUM_FIELDS, 'duration_sketch'];
const MODEL_COLUMNS = ['agent_name', 'bucket_start', 'model', ...MODEL_SUM_FIELDS];
// Positions in the row arrays above (rows are read raw: arrays are far cheaper than objects).
const A_STATUS = 2;
const A_SUMS = A_STATUS + COMPLETION_STATUSES.length;
const A_SKETCHES = A_SUMS + AGENT_SUM_FIELDS.length;
const T_SUMS = 3;
const T_SKETCH = T_SUMS + TOOL_SUM_FIELDS.length;
const M_SUMS = 3;

export interface SqliteRollupReader {
  agentRollups(projectId: number, q: RollupQuery): AgentRollup[];
  toolRollups(projectId: number, q: RollupQuery): ToolRollup[];
  modelRollups(projectId: number, q: RollupQuery): ModelRollup[];
}

export function createSqliteRollupReader(db: Database.Database): SqliteRollupReader {
  let statements: Record<'agent' | 'tool' | 'model' | 'agents', Database.Statement> | null = null;
  const range = 'project_id = ? AND agent_name = ? AND level_ms = ? AND bucket_start >= ? AND bucket_start < ?';
  const stmts = () => (statements ??= {
    agent: db.prepare(`SELECT ${AGENT_COLUMNS.join(', ')} FROM rollup_agent WHERE ${range}`).raw(),
    tool: db.prepare(`SELECT ${TOOL_COLUMNS.join(', ')} FROM rollup_tool WHERE ${range}`).raw(),
    model: db.prepare(`SELECT ${MODEL_COLUMNS.join(', ')} FROM rollup_model WHERE ${range}`).raw(),
    agents: db.prepare('SELECT agent_name FROM agents WHERE project_id = ? ORDER BY agent_name').pluck(),
  });

  const agentsOf = (projectId: number, q: RollupQuery): string[] =>
    q.agent_name !== undefined ? [q.agent_name] : (stmts().agents.all(projectId) as string[]);

  /** Calls `each` for every rollup row of `table` that lies in the query's range. */
  function scan(kind: 'agent' | 'tool' | 'model', projectId: number, q: RollupQuery, each: (row: Row) => void): void {
    const levels = kind === 'model' ? MODEL_ROLLUP_LEVELS_MS : ROLLUP_LEVELS_MS;
    const segments = planSegments(q.from, q.to, levels, kind === 'model' ? undefined : q.step_ms);
    const stmt = stmts()[kind];
    for (const agent of agentsOf(projectId, q)) {
      for (const seg of segments) {
        for (const row of stmt.all(projectId, agent, seg.level_ms, seg.from, seg.to) as Row[]) each(row);
      }
    }
  }

  return {
    agentRollups(projectId, q) {
      const out = new Map<string, AgentRollup>();
      scan('agent', projectId, q, (row) => {
        const agent = row[0] as string;
        const bucket = stepStart(row[1] as number, q);
        const key = `${agent}\u0000${bucket}`;
        let r = out.get(key);
        if (!r) {
          r = Object.assign(emptyAgentStats(), { agent_name: agent, bucket_start: bucket });
          out.set(key, r);
        }
        COMPLETION_STATUSES.forEach((st, i) => { r.status[st] += row[A_STATUS + i] as number; });
        AGENT_SUM_FIELDS.forEach((f, i) => { r[f] += row[A_SUMS + i] as number; });
        mergeEncoded(r.duration_ms, row[A_SKETCHES] as Buffer);
        mergeEncoded(r.tokens_used, row[A_SKETCHES + 1] as Buffer);
        mergeEncoded(r.iterations, row[A_SKETCHES + 2] as Buffer);
      });
      return [...out.values()];
    },

    toolRollups(projectId, q) {
      const out = new Map<string, ToolRollup>();
      scan('tool', projectId, q, (row) => {
        const agent = row[0] as string;
        const bucket = stepStart(row[1] as number, q);
        const tool = row[2] as string;
        const key = `${agent}\u0000${tool}\u0000${bucket}`;
        let r = out.get(key);
        if (!r) {
          r = Object.assign(emptyToolStats(), { agent_name: agent, tool_name: tool, bucket_start: bucket });
          out.set(key, r);
        }
        TOOL_SUM_FIELDS.forEach((f, i) => { r[f] += row[T_SUMS + i] as number; });
        mergeEncoded(r.duration_ms, row[T_SKETCH] as Buffer);
      });
      return [...out.values()];
    },

    modelRollups(projectId, q) {
      const out = new Map<string, ModelRollup>();
      scan('model', projectId, q, (row) => {
        const agent = row[0] as string;
        const bucket = stepStart(row[1] as number, q);
        const model = row[2] as string;
        const key = `${agent}\u0000${model}\u0000${bucket}`;
        let r = out.get(key);
        if (!r) {
          r = Object.assign(emptyModelStats(), { agent_name: agent, model, bucket_start: bucket });
          out.set(key, r);
        }
        MODEL_SUM_FIELDS.forEach((f, i) => { r[f] += row[M_SUMS + i] as number; });
      });
      return [...out.values()];
    },
  };
}
