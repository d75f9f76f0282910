// SQLite side of the alerting Store methods: alert instances, history, silences, alerting's small
// key-value state, and compact run reads for rules. Bodies are JSON that alerts/ and notify/ own.
import type Database from 'better-sqlite3';
import type { CompletionStatus } from '@vigil/protocol';
import type { AlertHistoryRow, AlertRow, Project, RunFact, SilenceRow, Store, ToolFact } from '../store.js';

type AlertingMethods = Pick<Store,
  'listProjects' | 'listRunFacts' | 'runWritePosition' | 'listAlertRows' | 'saveAlertChanges' | 'listAlertHistory' | 'putSilence' | 'listSilences' |
  'getAlertingValues' | 'putAlertingValues'>;

interface BodyRow { project_id: number; fingerprint: string; alertname: string; state: string; body: string; at?: number }

const FACT_COLUMNS = 'run_id, agent_name, ts, duration_ms, tokens_used, iterations, cost_usd, completion_status, error_type';

/**
 * Runs per page of listRunFacts. Reads run on the event loop; at high ingest rates a cycle's read
 * is hundreds of thousands of runs (seconds of reading), so it goes a page (a few milliseconds) at
 * a time, letting requests through in between.
 */
export const FACT_PAGE = 1_000;

/**
 * How far before a write position listRunFacts({ writtenFrom }) reads, to catch rowids taken
 * again after the newest runs were deleted. More than this many of the newest runs deleted and
 * replaced between two reads is missed until the alert window's next whole read.
 */
export const REUSED_ROWIDS = 256;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function toFact(r: unknown[]): RunFact {
  return {
    run_id: r[0] as string, agent_name: r[1] as string, ts: r[2] as number, duration_ms: r[3] as number,
    tokens_used: r[4] as number, iterations: r[5] as number, cost_usd: r[6] as number | null,
    completion_status: r[7] as CompletionStatus, error_type: r[8] as string | null, tool_calls: [],
  };
}

/** Tool-call rows (run_id first, in call order) onto their runs. */
function attachCalls(facts: RunFact[], rows: unknown[][]): void {
  const byId = new Map(facts.map((f) => [f.run_id, f]));
  for (const c of rows) {
    const call: ToolFact = {
      name: c[1] as string, status: c[2] as ToolFact['status'], ts: c[3] as number,
      duration_ms: c[4] as number | null, args_hash: c[5] as string | null, error_type: c[6] as string | null,
    };
    byId.get(c[0] as string)?.tool_calls.push(call);
  }
}

export function createSqliteAlertingTables(db: Database.Database): AlertingMethods {
  // Prepared lazily: the tables exist only after migrate().
  let s: ReturnType<typeof prepare> | null = null;
  function prepare() {
    return {
      // Run facts are read a page at a time (see listRunFacts), by key: the window's runs in
      // start order by the time index; runs received since a time in arrival order by the
      // received_at index (the planner would otherwise walk the window by time). Each page's
      // tool calls come by primary key, for the same key range (CROSS JOIN fixes that loop
      // order; left to itself the planner scans every tool call of the project).
      runsAfter: db.prepare(`SELECT ${FACT_COLUMNS} FROM runs
        WHERE project_id = ? AND (ts, run_id) > (?, ?) AND ts < ? ORDER BY ts, run_id LIMIT ?`).raw(),
      calls: db.prepare(`SELECT t.run_id, t.name, t.status, t.ts, t.duration_ms, t.args_hash, t.error_type
        FROM runs r CROSS JOIN tool_calls t ON t.project_id = r.project_id AND t.run_id = r.run_id
        WHERE r.project_id = ? AND (r.ts, r.run_id) >= (?, ?) AND (r.ts, r.run_id) <= (?, ?) ORDER BY t.run_id, t.seq`).raw(),
      runsReceived: db.prepare(`SELECT ${FACT_COLUMNS}, received_at, rowid FROM runs INDEXED BY runs_by_received
        WHERE project_id = ? AND (received_at, rowid) > (?, ?) AND ts >= ? AND ts < ? ORDER BY received_at, rowid LIMIT ?`).raw(),
      callsReceived: db.prepare(`SELECT t.run_id, t.name, t.status, t.ts, t.duration_ms, t.args_hash, t.error_type
        FROM runs r INDEXED BY runs_by_received CROSS JOIN tool_calls t ON t.project_id = r.project_id AND t.run_id = r.run_id
        WHERE r.project_id = ? AND (r.received_at, r.rowid) > (?, ?) AND (r.received_at, r.rowid) <= (?, ?) AND r.ts >= ? AND r.ts < ?
        ORDER BY t.run_id, t.seq`).raw(),
      // Runs written from a position on, by rowid: the one writer's rowids grow in commit order
      // (max(rowid) + 1; a run re-sent is deleted and inserted again, so it moves to the end).
      // NOT INDEXED keeps the read on the rowid range; the planner would walk the project's
      // whole window by the time index and sort it (50 ms a cycle at 240k runs, against 5).
      runsWritten: db.prepare(`SELECT ${FACT_COLUMNS}, rowid FROM runs NOT INDEXED
        WHERE rowid > ? AND project_id = ? AND ts >= ? AND ts < ? ORDER BY rowid LIMIT ?`).raw(),
      callsWritten: db.prepare(`SELECT t.run_id, t.name, t.status, t.ts, t.duration_ms, t.args_hash, t.error_type
        FROM runs r NOT INDEXED CROSS JOIN tool_calls t ON t.project_id = r.project_id AND t.run_id = r.run_id
        WHERE r.rowid > ? AND r.rowid <= ? AND r.project_id = ? AND r.ts >= ? AND r.ts < ? ORDER BY t.run_id, t.seq`).raw(),
      maxRowid: db.prepare('SELECT max(rowid) FROM runs').pluck(),
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
  /**
   * Reads page after page from `first` until a page says there is no next, each page (runs and
   * their tool calls) from one snapshot, yielding to the event loop in between; the write thread
   * commits between pages.
   */
  async function readPaged<C>(first: C, page: (after: C) => { facts: RunFact[]; next: C | null }): Promise<RunFact[]> {
    const out: RunFact[] = [];
    for (let after: C | null = first; after !== null;) {
      const { facts, next }: { facts: RunFact[]; next: C | null } = db.transaction(page)(after);
      out.push(...facts);
      after = next;
      if (next !== null) await yieldToEventLoop();
    }
    return out;
  }

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

    async runWritePosition(): Promise<number> {
      return ((st().maxRowid.get() as number | null) ?? 0) + 1;
    },

    async listRunFacts(projectId, { from, to, toolCalls, receivedSince, writtenFrom }): Promise<RunFact[]> {
      if (writtenFrom !== undefined) {
        // Keyed by rowid, from REUSED_ROWIDS before the position: rowids are max + 1, so when
        // the newest runs are deleted (a run re-sent, a trace re-assembled) the runs written
        // next take their rowids again, below the position.
        return readPaged<number>(writtenFrom - 1 - REUSED_ROWIDS, (after) => {
          const rows = st().runsWritten.all(after, projectId, from, to, FACT_PAGE) as unknown[][];
          const facts = rows.map(toFact);
          const end = rows[rows.length - 1];
          const last = end ? (end[9] as number) : null;
          if (toolCalls && last !== null) attachCalls(facts, st().callsWritten.all(after, last, projectId, from, to) as unknown[][]);
          return { facts, next: last !== null && rows.length === FACT_PAGE ? last : null };
        });
      }
      if (receivedSince === undefined) {
        // The window in start order, keyed by (ts, run_id); run ids are never empty.
        return readPaged<[number, string]>([from, ''], (after) => {
          const rows = st().runsAfter.all(projectId, ...after, to, FACT_PAGE) as unknown[][];
          const facts = rows.map(toFact);
          const [first, last] = [facts[0], facts[facts.length - 1]];
          if (toolCalls && first && last) attachCalls(facts, st().calls.all(projectId, first.ts, first.run_id, last.ts, last.run_id) as unknown[][]);
          return { facts, next: last && rows.length === FACT_PAGE ? [last.ts, last.run_id] : null };
        });
      }
      // Arrivals in the order received, keyed by (received_at, rowid); rowids start at 1.
      return readPaged<[number, number]>([receivedSince, 0], (after) => {
        const rows = st().runsReceived.all(projectId, ...after, from, to, FACT_PAGE) as unknown[][];
        const facts = rows.map(toFact);
        const end = rows[rows.length - 1];
        const last: [number, number] | null = end ? [end[9] as number, end[10] as number] : null;
        if (toolCalls && last) attachCalls(facts, st().callsReceived.all(projectId, ...after, ...last, from, to) as unknown[][]);
        return { facts, next: last && rows.length === FACT_PAGE ? last : null };
      });
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
