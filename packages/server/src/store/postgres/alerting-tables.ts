// PostgreSQL side of the alerting Store methods: alert instances, history, silences, alerting's
// key-value state (the notification log among it) and compact run reads for rules. Everything is
// in the database, so the replica that takes the evaluation lease over continues where the last
// one stopped. Bodies are JSON that alerts/ and notify/ own; the store keeps them opaque.
import type pg from 'pg';
import type { CompletionStatus } from '@vigil/protocol';
import type { AlertHistoryRow, AlertRow, Project, RunFact, SilenceRow, Store, ToolFact } from '../store.js';

type AlertingMethods = Pick<Store,
  'listProjects' | 'listRunFacts' | 'runWritePosition' | 'listAlertRows' | 'saveAlertChanges' | 'listAlertHistory' | 'putSilence' | 'listSilences' |
  'getAlertingValues' | 'putAlertingValues'>;

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;
type Transaction = (fn: (client: pg.PoolClient) => Promise<void>) => Promise<void>;

interface BodyRow { project_id: number; fingerprint: string; alertname: string; state: string; body: string; at?: number }

const parseBody = <T extends { body: string }>(r: T): Omit<T, 'body'> & { body: unknown } => ({ ...r, body: JSON.parse(r.body) as unknown });

export function createPostgresAlertingTables(query: Query, transaction: Transaction): AlertingMethods {
  return {
    async listProjects(): Promise<Project[]> {
      return (await query<Project>('SELECT id, name FROM projects ORDER BY id')).rows;
    },

    async runWritePosition(): Promise<null> {
      // Replicas commit side by side: there is no one order of writes to read from.
      return null;
    },

    async listRunFacts(projectId, { from, to, toolCalls, receivedSince, writtenFrom }): Promise<RunFact[]> {
      if (writtenFrom !== undefined) throw new Error('PostgreSQL has no write position: read runs by receivedSince');
      const since = receivedSince === undefined ? '' : ' AND received_at >= $4';
      const args = receivedSince === undefined ? [projectId, from, to] : [projectId, from, to, receivedSince];
      const { rows } = await query<Omit<RunFact, 'tool_calls'> & { completion_status: CompletionStatus }>(
        `SELECT run_id, agent_name, ts, duration_ms, tokens_used, iterations, cost_usd, completion_status, error_type
         FROM runs WHERE project_id = $1 AND ts >= $2 AND ts < $3${since} ORDER BY ts, run_id`,
        args,
      );
      const runs: RunFact[] = rows.map((r) => ({ ...r, tool_calls: [] }));
      if (toolCalls && runs.length > 0) {
        const byId = new Map(runs.map((r) => [r.run_id, r]));
        // The window's calls by partition key. For runs received since a time, only theirs: by
        // primary key within the partitions their start times span (a join on runs made the
        // planner hash every tool call of every partition).
        let minTs = Infinity;
        let maxTs = -Infinity;
        for (const r of runs) {
          minTs = Math.min(minTs, r.ts);
          maxTs = Math.max(maxTs, r.ts);
        }
        const calls = await query<ToolFact & { run_id: string }>(
          receivedSince === undefined
            ? `SELECT t.run_id, t.name, t.status, t.ts, t.duration_ms, t.args_hash, t.error_type
               FROM tool_calls t WHERE t.project_id = $1 AND t.run_ts >= $2 AND t.run_ts < $3 ORDER BY t.run_id, t.seq`
            : `SELECT t.run_id, t.name, t.status, t.ts, t.duration_ms, t.args_hash, t.error_type
               FROM tool_calls t WHERE t.project_id = $1 AND t.run_ts >= $2 AND t.run_ts <= $3 AND t.run_id = ANY($4::text[])
               ORDER BY t.run_id, t.seq`,
          receivedSince === undefined ? args : [projectId, minTs, maxTs, runs.map((r) => r.run_id)],
        );
        for (const { run_id, ...call } of calls.rows) byId.get(run_id)?.tool_calls.push(call);
      }
      return runs;
    },

    async listAlertRows(projectId?: number): Promise<AlertRow[]> {
      const { rows } = projectId === undefined
        ? await query<BodyRow>('SELECT project_id, fingerprint, alertname, state, body FROM alert_instances ORDER BY project_id, fingerprint')
        : await query<BodyRow>('SELECT project_id, fingerprint, alertname, state, body FROM alert_instances WHERE project_id = $1 ORDER BY fingerprint', [projectId]);
      return rows.map(parseBody);
    },

    async saveAlertChanges(changes) {
      if (changes.upserts.length + changes.deletes.length + changes.history.length === 0) return;
      await transaction(async (c) => {
        // One statement may not upsert a row twice: the last change of an instance wins, as in order.
        const u = [...new Map(changes.upserts.map((r) => [`${r.project_id}\u0000${r.fingerprint}`, r])).values()];
        if (u.length > 0) {
          await c.query(
            `INSERT INTO alert_instances (project_id, fingerprint, alertname, state, body)
             SELECT * FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::text[])
             ON CONFLICT (project_id, fingerprint) DO UPDATE SET alertname = excluded.alertname, state = excluded.state, body = excluded.body`,
            [u.map((r) => r.project_id), u.map((r) => r.fingerprint), u.map((r) => r.alertname), u.map((r) => r.state), u.map((r) => JSON.stringify(r.body))],
          );
        }
        const d = changes.deletes;
        if (d.length > 0) {
          await c.query(
            `DELETE FROM alert_instances a USING unnest($1::int4[], $2::text[]) AS x(p, f) WHERE a.project_id = x.p AND a.fingerprint = x.f`,
            [d.map((r) => r.project_id), d.map((r) => r.fingerprint)],
          );
        }
        const h = changes.history;
        if (h.length > 0) {
          // WITH ORDINALITY keeps the given order in the ids, which break ties of equal times.
          await c.query(
            `INSERT INTO alert_history (project_id, fingerprint, alertname, state, at, body)
             SELECT p, f, n, s, t, b FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[])
               WITH ORDINALITY AS x(p, f, n, s, t, b, o) ORDER BY o`,
            [h.map((r) => r.project_id), h.map((r) => r.fingerprint), h.map((r) => r.alertname), h.map((r) => r.state), h.map((r) => r.at),
              h.map((r) => JSON.stringify(r.body))],
          );
        }
      });
    },

    async listAlertHistory(projectId, q): Promise<AlertHistoryRow[]> {
      const { rows } = await query<Required<BodyRow>>(
        `SELECT project_id, fingerprint, alertname, state, at, body FROM alert_history
         WHERE project_id = $1 AND at >= $2 AND at < $3 ORDER BY at DESC, id DESC LIMIT $4`,
        [projectId, q.from, q.to, q.limit],
      );
      return rows.map(parseBody);
    },

    async putSilence(row) {
      await query(
        `INSERT INTO silences (project_id, id, starts_at, ends_at, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (project_id, id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, body = excluded.body`,
        [row.project_id, row.id, row.starts_at, row.ends_at, JSON.stringify(row.body)],
      );
    },

    async listSilences(projectId?: number, endsAfter?: number): Promise<SilenceRow[]> {
      // SQLite compares with -Infinity when no bound is given; PostgreSQL's bigint cannot hold it.
      const after = endsAfter === undefined || !Number.isFinite(endsAfter) ? Number.MIN_SAFE_INTEGER : endsAfter;
      const { rows } = projectId === undefined
        ? await query<Omit<SilenceRow, 'body'> & { body: string }>('SELECT * FROM silences WHERE ends_at > $1 ORDER BY starts_at, id', [after])
        : await query<Omit<SilenceRow, 'body'> & { body: string }>('SELECT * FROM silences WHERE project_id = $1 AND ends_at > $2 ORDER BY starts_at, id', [projectId, after]);
      return rows.map(parseBody);
    },

    async getAlertingValues(projectId, prefix) {
      const { rows } = await query<{ key: string; value: string }>(
        'SELECT key, value FROM alerting_values WHERE project_id = $1 AND starts_with(key, $2)',
        [projectId, prefix],
      );
      return new Map(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    },

    async putAlertingValues(projectId, entries) {
      if (entries.length === 0) return;
      // The last write of a key wins, as it would applied one by one.
      const last = new Map(entries);
      const puts = [...last].filter(([, v]) => v !== undefined);
      const deletes = [...last].filter(([, v]) => v === undefined).map(([k]) => k);
      await transaction(async (c) => {
        if (puts.length > 0) {
          await c.query(
            `INSERT INTO alerting_values (project_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS x(k, v)
             ON CONFLICT (project_id, key) DO UPDATE SET value = excluded.value`,
            [projectId, puts.map(([k]) => k), puts.map(([, v]) => JSON.stringify(v))],
          );
        }
        if (deletes.length > 0) await c.query('DELETE FROM alerting_values WHERE project_id = $1 AND key = ANY($2::text[])', [projectId, deletes]);
      });
    },
  };
}
