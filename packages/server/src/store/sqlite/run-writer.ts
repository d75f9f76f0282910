// Writes groups of runs: the runs and tool-call rows, the agents they name, and the rollups they
// change, all in one transaction. It runs wherever its connection lives: on the event loop for
// in-memory databases, in the write worker (write-worker.ts) for files.
import type Database from 'better-sqlite3';
import type { RunRecord } from '@vigil/protocol';
import { addRunToDelta, createRollupDelta } from '../rollup.js';
import type { WriteResult } from '../store.js';
import { createSqliteRollupWriter } from './rollup-writer.js';
import { fromRunRow, toRunRow, type RunRow } from './run-rows.js';

export interface WriteInput {
  projectId: number;
  runs: RunRecord[];
  /** Runs to remove in the same transaction (writeRuns' `deleteRunIds`). */
  deleteRunIds?: string[];
}

/** An error as it crosses a thread: plain data. */
export interface WriteFailure {
  name: string;
  message: string;
  code?: string;
}

export type WriteOutcome = { ok: true; result: WriteResult } | { ok: false; error: WriteFailure };

export interface RunWriter {
  /**
   * Commits the inputs in one transaction. One request's failure rolls back only its own rows and
   * is reported in its outcome; an error that ends the transaction (a failed commit, a full disk)
   * throws, and nothing of the group is written.
   */
  writeGroup(inputs: WriteInput[], now: number): WriteOutcome[];
}

export function toWriteFailure(error: unknown): WriteFailure {
  const e = error as { name?: string; message?: string; code?: unknown };
  return { name: e?.name ?? 'Error', message: e?.message ?? String(error), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
}

/** Thrown out of an attempt without savepoints, to roll it back and write the group again with them. */
class RetryIsolated extends Error {}

export function createRunWriter(db: Database.Database): RunWriter {
  const rollups = createSqliteRollupWriter(db);
  // Agents already known to have a row, so a run's agent costs one statement only once.
  const knownAgents = new Set<string>();
  const groupAgents = new Set<string>();
  const s = {
    deleteRun: db.prepare<[number, string], RunRow>('DELETE FROM runs WHERE project_id = ? AND run_id = ? RETURNING *'),
    deleteToolCalls: db.prepare('DELETE FROM tool_calls WHERE project_id = ? AND run_id = ?'),
    // New runs are the common case: try the insert first and only replace on a conflict.
    insertRunIfNew: db.prepare(`INSERT INTO runs (project_id, run_id, agent_name, ts, ended_at, duration_ms, iterations,
        tokens_used, tokens_input, tokens_output, tokens_cached_input, tokens_reasoning, model, completion_status,
        error_type, error_message, cost_usd, environment, release, session_id, user_id, tags, sampled, received_at, detail)
      VALUES (@project_id, @run_id, @agent_name, @ts, @ended_at, @duration_ms, @iterations, @tokens_used, @tokens_input,
        @tokens_output, @tokens_cached_input, @tokens_reasoning, @model, @completion_status, @error_type, @error_message,
        @cost_usd, @environment, @release, @session_id, @user_id, @tags, @sampled, @received_at, @detail)
      ON CONFLICT (project_id, run_id) DO NOTHING`),
    insertToolCall: db.prepare(`INSERT INTO tool_calls (project_id, run_id, seq, agent_name, ts, name, status, duration_ms, args_hash, error_type)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    touchAgent: db.prepare('INSERT INTO agents (project_id, agent_name, config, first_seen, updated_at) VALUES (?, ?, NULL, ?, ?) ON CONFLICT DO NOTHING'),
  };

  const remove = (projectId: number, runId: string, removed: RunRecord[]): void => {
    const previous = s.deleteRun.get(projectId, runId);
    if (!previous) return;
    s.deleteToolCalls.run(projectId, runId);
    removed.push(fromRunRow(previous, false));
  };

  // Rollups change in the same transaction as the runs: a replaced run is subtracted, from the
  // row DELETE … RETURNING gave back. The request only lists what it removed; its rollup
  // contribution is added once its rows are in.
  const insertInput = (input: WriteInput, removed: RunRecord[], now: number, touched: Set<string>): WriteResult => {
    for (const runId of input.deleteRunIds ?? []) remove(input.projectId, runId, removed);
    for (const run of input.runs) {
      const row = toRunRow(input.projectId, run);
      if (s.insertRunIfNew.run(row).changes === 0) {
        remove(input.projectId, run.run_id, removed);
        s.insertRunIfNew.run(row);
      }
      for (let seq = 0; seq < run.tool_calls.length; seq++) {
        const t = run.tool_calls[seq]!;
        s.insertToolCall.run(input.projectId, run.run_id, seq, run.agent_name, t.started_at ?? run.timestamp, t.name,
          t.status, t.duration_ms, t.args_hash, t.error?.type ?? null);
      }
      const agentKey = `${input.projectId}\u0000${run.agent_name}`;
      if (!knownAgents.has(agentKey) && !touched.has(agentKey)) {
        s.touchAgent.run(input.projectId, run.agent_name, run.timestamp, now);
        touched.add(agentKey);
      }
    }
    return { accepted: input.runs.length };
  };
  // The same, inside a savepoint: a failure rolls back only this request's rows.
  const insertInputIsolated = db.transaction(insertInput);

  // A group is first written without savepoints: each savepoint copies every page the request
  // touches into a statement journal, a quarter to a third of the write. Validated runs
  // practically never fail; if one does, the whole attempt rolls back and the group is written
  // again with a savepoint per request, so the failure stays that request's alone.
  const writeGroupTx = db.transaction((inputs: WriteInput[], now: number, isolate: boolean): WriteOutcome[] => {
    const outcomes: WriteOutcome[] = [];
    const groupDelta = createRollupDelta();
    groupAgents.clear();
    const removed: RunRecord[] = [];
    for (const input of inputs) {
      // Agents this request inserted count as known only once the group has committed: a
      // savepoint or commit that rolls back takes their rows with it.
      const touched = new Set<string>();
      removed.length = 0;
      let result: WriteResult;
      try {
        result = (isolate ? insertInputIsolated : insertInput)(input, removed, now, touched);
      } catch (error) {
        // Some errors (a full disk, an I/O error) make SQLite abandon the whole transaction, not
        // just the request's statements: the group fails as a whole, with that error. Carrying
        // on would commit the next requests outside any transaction.
        if (!db.inTransaction) throw error;
        if (!isolate) throw new RetryIsolated('a request failed: writing the group again with a savepoint per request', { cause: error });
        outcomes.push({ ok: false, error: toWriteFailure(error) });
        continue;
      }
      for (const a of touched) groupAgents.add(a);
      for (const old of removed) addRunToDelta(groupDelta, input.projectId, old, -1);
      for (const run of input.runs) addRunToDelta(groupDelta, input.projectId, run, 1);
      outcomes.push({ ok: true, result });
    }
    rollups.apply(groupDelta);
    return outcomes;
  });

  return {
    writeGroup(inputs, now) {
      let outcomes: WriteOutcome[];
      try {
        outcomes = writeGroupTx.immediate(inputs, now, false);
      } catch (error) {
        if (!(error instanceof RetryIsolated)) throw error;
        outcomes = writeGroupTx.immediate(inputs, now, true);
      }
      for (const a of groupAgents) knownAgents.add(a);
      return outcomes;
    },
  };
}
