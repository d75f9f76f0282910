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

type Row = Record<string, number | string | Buffer>;

export interface SqliteRollupReader {
  agentRollups(projectId: number, q: RollupQuery): AgentRollup[];
  toolRollups(projectId: number, q: RollupQuery): ToolRollup[];
  modelRollups(projectId: number, q: RollupQuery): ModelRollup[];
}

export function createSqliteRollupReader(db: Database.Database): SqliteRollupReader {
  let statements: Record<'agent' | 'tool' | 'model' | 'agents', Database.Statement> | null = null;
  const range = 'project_id = ? AND agent_name = ? AND level_ms = ? AND bucket_start >= ? AND bucket_start < ?';
  const stmts = () => (statements ??= {
    agent: db.prepare(`SELECT * FROM rollup_agent WHERE ${range}`),
    tool: db.prepare(`SELECT * FROM rollup_tool WHERE ${range}`),
    model: db.prepare(`SELECT * FROM rollup_model WHERE ${range}`),
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
        for (const row of stmt.iterate(projectId, agent, seg.level_ms, seg.from, seg.to)) each(row as Row);
      }
    }
  }

  return {
    agentRollups(projectId, q) {
      const out = new Map<string, AgentRollup>();
      scan('agent', projectId, q, (row) => {
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
      });
      return [...out.values()];
    },

    toolRollups(projectId, q) {
      const out = new Map<string, ToolRollup>();
      scan('tool', projectId, q, (row) => {
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
      });
      return [...out.values()];
    },

    modelRollups(projectId, q) {
      const out = new Map<string, ModelRollup>();
      scan('model', projectId, q, (row) => {
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
      });
      return [...out.values()];
    },
  };
}
