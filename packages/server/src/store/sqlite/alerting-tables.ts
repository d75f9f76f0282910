// SQLite side of the alerting Store methods: alert instances, history, silences, alerting's small
// key-value state, and compact run reads for rules. Bodies are JSON that alerts/ and notify/ own.
import type Database from 'better-sqlite3';
import type { CompletionStatus } from '@vigil/protocol';
import type { AlertHistoryRow, AlertRow, Project, RunFact, SilenceRow, Store, ToolFact } from '../store.js';

type AlertingMethods = Pick<Store,
  'listProjects' | 'listRunFacts' | 'listAlertRows' | 'saveAlertChanges' | 'listAlertHistory' | 'putSilence' | 'listSilences' |
  'getAlertingValues' | 'putAlertingValues'>;

interface BodyRow { project_id: number; fingerprint: string; alertname: string; state: string; body: string; at?: number }

export function createSqliteAlertingTables(db: Database.Database): AlertingMethods {
  // Prepared lazily: the tables exist only after migrate().
  let s: ReturnType<typeof prepare> | null = null;
  function prepare() {
    return {
      runs: db.prepare(`SELECT run_id, agent_name, ts, duration_ms, tokens_used, iterations, cost_usd, completion_status, error_type
        FROM runs WHERE project_id = ? AND ts >= ? AND ts < ? ORDER BY ts, run_id`).raw(),
      // CROSS JOIN fixes the loop order: the window's runs by time index, then each run's calls by
      // primary key. Left to itself the planner scans every tool call of the project.
      calls: db.prepare(`SELECT t.run_id, t.name, t.status, t.ts, t.duration_ms, t.args_hash, t.error_type
        FROM runs r CROSS JOIN tool_calls t ON t.project_id = r.project_id AND t.run_id = r.run_id
        WHERE r.project_id = ? AND r.ts >= ? AND r.ts < ? ORDER BY t.run_id, t.seq`).raw(),
      // The same, for runs received since a time: by the received_at index, whatever the window's
      // size (the planner would otherwise walk the window by time).
      runsReceived: db.prepare(`SELECT run_id, agent_name, ts, duration_ms, tokens_used, iterations, cost_usd, completion_status, error_type
        FROM runs INDEXED BY runs_by_received WHERE project_id = ? AND received_at >= ? AND ts >= ? AND ts < ? ORDER BY ts, run_id`).raw(),
      callsReceived: db.prepare(`SELECT t.run_id, t.name, t.status, t.ts, t.duration_ms, t.args_hash, t.error_type
        FROM runs r INDEXED BY runs_by_received CROSS JOIN tool_calls t ON t.project_id = r.project_id AND t.run_id = r.run_id
        WHERE r.project_id = ? AND r.received_at >= ? AND r.ts >= ? AND r.ts < ? ORDER BY t.run_id, t.seq`).raw(),
      upsert: db.prepare(`INSERT INTO alert_instances (project_id, fingerprint, alertname, state, body) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (project_id, fingerprint) DO UPDATE SET alertname = excluded.alertname, state = excluded.state, body = excluded.body`),
      remove: db.prepare('DELETE FROM alert_instances WHERE project_id = ? AND fingerprint = ?'),
      history: db.prepare('INSERT INTO alert_history (project_id, fingerprint, alertname, state, at, body) VALUES (?, ?, ?, ?, ?, ?)'),
      putSilence: db.prepare(`INSERT INTO silences (project_id, id, starts_at, ends_at, body) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (project_id, id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, body = excluded.body`),
      putValue: db.prepare(`INSERT INTO alerting_values (project_id, key, value) VALUES (?, ?, ?)
        ON CONFLICT (project_id, key) DO UPDATE SET value = excluded.value`),
      deleteValue: db.prepare('DELETE FROM alerting_values WHERE project_id = ? AND key = ?'),
    };
  }
  const st = () => (s ??= prepare());

  const saveChanges = db.transaction((changes: Parameters<Store['saveAlertChanges']>[0]) => {
    for (const r of changes.upserts) st().upsert.run(r.project_id, r.fingerprint, r.alertname, r.state, JSON.stringify(r.body));
    for (const d of changes.deletes) st().remove.run(d.project_id, d.fingerprint);
    for (const h of changes.history) st().history.run(h.project_id, h.fingerprint, h.alertname, h.state, h.at, JSON.stringify(h.body));
  });
  const putValues = db.transaction((projectId: number, entries: [string, unknown][]) => {
    for (const [key, value] of entries) {
      if (value === undefined) st().deleteValue.run(projectId, key);
      else st().putValue.run(projectId, key, JSON.stringify(value));
    }
  });

  return {
    async listProjects(): Promise<Project[]> {
      return db.prepare('SELECT id, name FROM projects ORDER BY id').all() as Project[];
    },

    async listRunFacts(projectId, { from, to, toolCalls, receivedSince }): Promise<RunFact[]> {
      const runs: RunFact[] = [];
      const byId = new Map<string, RunFact>();
      const args = receivedSince === undefined ? [projectId, from, to] : [projectId, receivedSince, from, to];
      const [runsStmt, callsStmt] = receivedSince === undefined ? [st().runs, st().calls] : [st().runsReceived, st().callsReceived];
      for (const r of runsStmt.all(...args) as unknown[][]) {
        const run: RunFact = {
          run_id: r[0] as string, agent_name: r[1] as string, ts: r[2] as number, duration_ms: r[3] as number,
          tokens_used: r[4] as number, iterations: r[5] as number, cost_usd: r[6] as number | null,
          completion_status: r[7] as CompletionStatus, error_type: r[8] as string | null, tool_calls: [],
        };
        runs.push(run);
        if (toolCalls) byId.set(run.run_id, run);
      }
      if (toolCalls) {
        for (const c of callsStmt.all(...args) as unknown[][]) {
          const call: ToolFact = {
            name: c[1] as string, status: c[2] as ToolFact['status'], ts: c[3] as number,
            duration_ms: c[4] as number | null, args_hash: c[5] as string | null, error_type: c[6] as string | null,
          };
          byId.get(c[0] as string)?.tool_calls.push(call);
        }
      }
      return runs;
    },

    async listAlertRows(projectId?: number): Promise<AlertRow[]> {
      const rows = (projectId === undefined
        ? db.prepare('SELECT * FROM alert_instances ORDER BY project_id, fingerprint').all()
        : db.prepare('SELECT * FROM alert_instances WHERE project_id = ? ORDER BY fingerprint').all(projectId)) as BodyRow[];
      return rows.map((r) => ({ ...r, body: JSON.parse(r.body) as unknown }));
    },

    async saveAlertChanges(changes) {
      saveChanges.immediate(changes);
    },

    async listAlertHistory(projectId, q): Promise<AlertHistoryRow[]> {
      const rows = db.prepare(`SELECT project_id, fingerprint, alertname, state, at, body FROM alert_history
        WHERE project_id = ? AND at >= ? AND at < ? ORDER BY at DESC, id DESC LIMIT ?`).all(projectId, q.from, q.to, q.limit) as Required<BodyRow>[];
      return rows.map((r) => ({ ...r, body: JSON.parse(r.body) as unknown }));
    },

    async putSilence(row) {
      st().putSilence.run(row.project_id, row.id, row.starts_at, row.ends_at, JSON.stringify(row.body));
    },

    async listSilences(projectId?: number, endsAfter = -Infinity): Promise<SilenceRow[]> {
      const rows = (projectId === undefined
        ? db.prepare('SELECT * FROM silences WHERE ends_at > ? ORDER BY starts_at, id').all(endsAfter)
        : db.prepare('SELECT * FROM silences WHERE project_id = ? AND ends_at > ? ORDER BY starts_at, id').all(projectId, endsAfter)) as
        (Omit<SilenceRow, 'body'> & { body: string })[];
      return rows.map((r) => ({ ...r, body: JSON.parse(r.body) as unknown }));
    },

    async getAlertingValues(projectId, prefix) {
      const rows = db.prepare("SELECT key, value FROM alerting_values WHERE project_id = ? AND key >= ? AND key < ? || char(1114111)")
        .all(projectId, prefix, prefix) as { key: string; value: string }[];
      return new Map(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    },

    async putAlertingValues(projectId, entries) {
      putValues.immediate(projectId, entries);
    },
  };
}
