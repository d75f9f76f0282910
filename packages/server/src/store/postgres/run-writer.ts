// Writes runs on PostgreSQL. Requests go through the engine-neutral group-commit queue; each
// group is one transaction: run keys upserted (idempotent re-sends, across replicas), replaced or
// deleted copies removed and taken out of the rollups, runs and tool calls inserted with one
// multi-row statement each, rollups added last. A group that one request's rows break is retried
// request by request, so only that request fails; a database that is away fails them all with 503.
import type pg from 'pg';
import type { RunRecord } from '@vigil/protocol';
import { addRunToDelta, createRollupDelta } from '../rollup.js';
import { StoreOverloadedError, type WriteResult } from '../store.js';
import { createWriteQueue, type WriteJob } from '../write-queue.js';
import { isRetryable, isUnavailable, toStoreError } from './pg-errors.js';
import { applyRollupDelta } from './rollup-writer.js';
import {
  fromRunRow, RUN_COLUMNS, toRunRow, toToolCallRows, TOOL_CALL_COLUMNS, unnestInsert, type RunRow, type ToolCallRow,
} from './run-rows.js';

/** A group that hit a deadlock or serialization failure is run again this many times. */
const MAX_GROUP_ATTEMPTS = 4;

export interface WriteInput {
  projectId: number;
  runs: RunRecord[];
  /** Runs to remove in the same transaction, before `runs` (writeRuns' `deleteRunIds`). */
  deleteRunIds?: string[];
}

type RunKey = { project_id: number; run_id: string; ts: number };

export interface RunWriterDeps {
  /** Runs `fn` on a pooled connection; failures to reach the database become StoreUnavailableError. */
  withClient: <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;
  /** Creates the day partitions these timestamps need, when missing. */
  ensurePartitions: (timestamps: Iterable<number>) => Promise<void>;
  /** Forgets which partitions exist (another replica's retention dropped one). */
  forgetPartitions: () => void;
  /** This writer's rollup shard (rollup-writer.ts). */
  rollupShard: number;
  now: () => number;
  maxPendingJobs?: number;
}

export interface RunWriter {
  /** Queues one request; resolves once its group has committed. */
  write(input: WriteInput): Promise<WriteResult>;
  /** Resolves when everything queued so far has committed (or failed). */
  drain(): Promise<void>;
  /** An agent whose row exists (registered through upsertAgent): writes need not touch it. */
  knowAgent(projectId: number, agentName: string): void;
}

const byRunKey = (a: { projectId: number; run: RunRecord }, b: { projectId: number; run: RunRecord }): number =>
  a.projectId - b.projectId || (a.run.run_id < b.run.run_id ? -1 : a.run.run_id > b.run.run_id ? 1 : 0);

export function createRunWriter(deps: RunWriterDeps): RunWriter {
  const knownAgents = new Set<string>();

  /** Writes one group in one transaction: last copy of a run_id wins, old copies are removed. */
  async function writeGroup(inputs: WriteInput[]): Promise<void> {
    // The group's net effect per run, applied in request order: a delete, or the last copy written.
    const latest = new Map<string, { projectId: number; run: RunRecord } | { projectId: number; deleted: string }>();
    for (const input of inputs) {
      for (const runId of input.deleteRunIds ?? []) {
        const key = `${input.projectId}\u0000${runId}`;
        latest.delete(key);
        latest.set(key, { projectId: input.projectId, deleted: runId });
      }
      for (const run of input.runs) {
        const key = `${input.projectId}\u0000${run.run_id}`;
        latest.delete(key);
        latest.set(key, { projectId: input.projectId, run });
      }
    }
    if (latest.size === 0) return;
    // One lock order for every replica: concurrent groups touching the same runs wait, not deadlock.
    const items = [...latest.values()].flatMap((i) => ('run' in i ? [i] : [])).sort(byRunKey);
    const deletions = [...latest.values()].flatMap((i) => ('deleted' in i ? [{ project_id: i.projectId, run_id: i.deleted }] : []))
      .sort((a, b) => a.project_id - b.project_id || (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0));
    await deps.ensurePartitions(items.map((i) => i.run.timestamp));

    const runRows: RunRow[] = items.map((i) => toRunRow(i.projectId, i.run));
    const toolRows: ToolCallRow[] = items.flatMap((i) => toToolCallRows(i.projectId, i.run));
    const newAgents = new Map<string, { projectId: number; agent: string; firstSeen: number }>();
    for (const i of items) {
      const key = `${i.projectId}\u0000${i.run.agent_name}`;
      if (!knownAgents.has(key) && !newAgents.has(key)) newAgents.set(key, { projectId: i.projectId, agent: i.run.agent_name, firstSeen: i.run.timestamp });
    }
    const agents = [...newAgents.values()].sort((a, b) => a.projectId - b.projectId || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));

    await deps.withClient(async (c) => {
      await c.query('BEGIN');
      try {
        const delta = createRollupDelta();
        // Removes stored copies (runs, tool calls) and takes them out of the rollups.
        const removeCopies = async (copies: RunKey[]): Promise<void> => {
          if (copies.length === 0) return;
          const old = [copies.map((k) => k.project_id), copies.map((k) => k.run_id), copies.map((k) => k.ts)];
          const gone = await c.query<RunRow>(
            `DELETE FROM runs r USING unnest($1::int4[], $2::text[], $3::int8[]) AS o(p, id, t)
             WHERE r.project_id = o.p AND r.run_id = o.id AND r.ts = o.t RETURNING r.*`,
            old,
          );
          for (const row of gone.rows) addRunToDelta(delta, row.project_id, fromRunRow(row, false), -1);
          await c.query(
            `DELETE FROM tool_calls t USING unnest($1::int4[], $2::text[], $3::int8[]) AS o(p, id, rt)
             WHERE t.project_id = o.p AND t.run_id = o.id AND t.run_ts = o.rt`,
            old,
          );
        };
        if (deletions.length > 0) {
          const removed = await c.query<RunKey>(
            `DELETE FROM run_keys k USING unnest($1::int4[], $2::text[]) AS d(p, id)
             WHERE k.project_id = d.p AND k.run_id = d.id RETURNING k.project_id, k.run_id, k.ts`,
            [deletions.map((d) => d.project_id), deletions.map((d) => d.run_id)],
          );
          await removeCopies(removed.rows);
        }
        if (items.length === 0) {
          await applyRollupDelta(c, delta, deps.rollupShard);
          await c.query('COMMIT');
          return;
        }
        // The upsert locks each run's key row (waiting for a concurrent writer of the same run to
        // commit) and reports in prev_ts where the copy it replaces lives.
        const keys = await c.query<{ project_id: number; run_id: string; prev_ts: number | null }>(
          `INSERT INTO run_keys (project_id, run_id, ts, prev_ts)
           SELECT p, r, t, NULL FROM unnest($1::int4[], $2::text[], $3::int8[]) AS u(p, r, t)
           ON CONFLICT (project_id, run_id) DO UPDATE SET prev_ts = run_keys.ts, ts = excluded.ts
           RETURNING project_id, run_id, prev_ts`,
          [runRows.map((r) => r.project_id), runRows.map((r) => r.run_id), runRows.map((r) => r.ts)],
        );
        // The replaced copies come back so their contribution leaves the rollups.
        await removeCopies(keys.rows.flatMap((k) => (k.prev_ts === null ? [] : [{ project_id: k.project_id, run_id: k.run_id, ts: k.prev_ts }])));
        const runs = unnestInsert('runs', RUN_COLUMNS, runRows);
        await c.query(runs.text, runs.values);
        if (toolRows.length > 0) {
          const calls = unnestInsert('tool_calls', TOOL_CALL_COLUMNS, toolRows);
          await c.query(calls.text, calls.values);
        }
        for (const i of items) addRunToDelta(delta, i.projectId, i.run, 1);
        if (agents.length > 0) {
          await c.query(
            `INSERT INTO agents (project_id, agent_name, config, first_seen, updated_at)
             SELECT p, a, NULL, f, $4 FROM unnest($1::int4[], $2::text[], $3::int8[]) AS u(p, a, f)
             ON CONFLICT DO NOTHING`,
            [agents.map((a) => a.projectId), agents.map((a) => a.agent), agents.map((a) => a.firstSeen), deps.now()],
          );
        }
        // Last: the rollup rows are the ones every writer of an agent shares, so hold them briefly.
        await applyRollupDelta(c, delta, deps.rollupShard);
        await c.query('COMMIT');
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    for (const key of newAgents.keys()) knownAgents.add(key);
  }

  async function writeWithRetry(inputs: WriteInput[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeGroup(inputs);
      } catch (error) {
        // 23514: no partition for a row: another replica's retention dropped a day we thought existed.
        const noPartition = (error as { code?: string }).code === '23514';
        if (noPartition) deps.forgetPartitions();
        if (!(isRetryable(error) || noPartition) || attempt >= MAX_GROUP_ATTEMPTS) throw error;
      }
    }
  }

  const queue = createWriteQueue<WriteInput, WriteResult>({
    maxPendingJobs: deps.maxPendingJobs,
    overloaded: () => new StoreOverloadedError(1),
    commit: async (jobs: WriteJob<WriteInput, WriteResult>[]) => {
      try {
        await writeWithRetry(jobs.map((j) => j.input));
        for (const job of jobs) job.resolve({ accepted: job.input.runs.length });
        return;
      } catch (error) {
        // Nothing of the group is stored. If the database is away, every job gets the same 503.
        if (isUnavailable(error) || jobs.length === 1) {
          const e = toStoreError(error);
          for (const job of jobs) job.reject(e);
          return;
        }
      }
      // Some job's rows broke the group's transaction: each job alone, so only that job fails.
      for (const job of jobs) {
        try {
          await writeWithRetry([job.input]);
          job.resolve({ accepted: job.input.runs.length });
        } catch (error) {
          job.reject(toStoreError(error));
        }
      }
    },
  });

  return {
    write: (input) => queue.push(input),
    drain: () => queue.drain(),
    knowAgent(projectId, agentName) {
      knownAgents.add(`${projectId}\u0000${agentName}`);
    },
  };
}
