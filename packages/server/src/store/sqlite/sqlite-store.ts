// The embedded SQLite store (better-sqlite3, WAL). Runs are written by group commit: requests that
// arrive together share one transaction and one fsync. For a database file the transaction runs on
// a write thread (write-thread.ts), so the event loop keeps serving while it commits; an in-memory
// database has one connection only, so there it runs on the event loop.
import type Database from 'better-sqlite3';
import type { AgentConfig, RunRecord } from '@vigil/protocol';
import { hashesEqual, hashSecret } from '@vigil/protocol';
import { agentRecord, keyRecord, newKeyRow, type AgentRow, type KeyRow } from '../key-agent-rows.js';
import {
  StoreOverloadedError,
  type AgentRecord, type ApiKeyRecord, type LeaseGrant, type NewApiKey, type Project, type RunFilter, type RunPage,
  type Store, type WriteResult,
} from '../store.js';
import { createWriteQueue } from '../write-queue.js';
import { migrations } from './migrations.js';
import { backfillRollupsIfEmpty } from './rollup-backfill.js';
import { createSqliteRollupReader } from './rollup-reader.js';
import { createSqliteAlertingTables } from './alerting-tables.js';
import { createSqliteSessionTables } from './session-tables.js';
import { createSqliteOtlpTables } from './otlp-tables.js';
import { createSqliteRollupWriter } from './rollup-writer.js';
import { createSqliteRetention } from './retention.js';
import { fromRunRow, type RunRow } from './run-rows.js';
import { toRunPage } from '../run-page.js';
import { openSqliteDatabase } from './database.js';
import { createRunWriter, type WriteInput, type WriteOutcome } from './run-writer.js';
import { createWriteThread } from './write-thread.js';

export { openSqliteDatabase } from './database.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for tests. The folder is created when missing. */
  path: string;
  maxPendingJobs?: number;
  /** Clock for created_at fields; tests pass a fixed one. */
  now?: () => number;
  /** Commit on a write thread (default for files; an in-memory database always commits in place). */
  writeThread?: boolean;
}

export function migrateSqlite(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    })();
  }
}

export function createSqliteStore(options: SqliteStoreOptions): Store & { readonly db: Database.Database } {
  const now = options.now ?? Date.now;
  const db = openSqliteDatabase(options.path);
  const rollupWriter = createSqliteRollupWriter(db);
  const rollupReader = createSqliteRollupReader(db);
  const retention = createSqliteRetention(db);
  let getRunStmt: Database.Statement<[number, string], RunRow> | null = null;
  const getRun = () => (getRunStmt ??= db.prepare<[number, string], RunRow>('SELECT * FROM runs WHERE project_id = ? AND run_id = ?'));

  // In-memory databases exist per connection, so they cannot be written from another thread.
  const threaded = options.path !== ':memory:' && options.writeThread !== false;
  let inPlace: ReturnType<typeof createRunWriter> | null = null;
  const thread = threaded ? createWriteThread(options.path) : null;
  const writeGroup = async (inputs: WriteInput[], at: number): Promise<WriteOutcome[]> =>
    thread ? thread.writeGroup(inputs, at) : (inPlace ??= createRunWriter(db)).writeGroup(inputs, at);

  const queue = createWriteQueue<WriteInput, WriteResult>({
    maxPendingJobs: options.maxPendingJobs,
    maxGroupsInFlight: thread ? 16 : 1,
    overloaded: () => new StoreOverloadedError(1),
    commit: async (jobs) => {
      // A failed commit throws: nothing of the group is stored, so nothing is acknowledged.
      const outcomes = await writeGroup(jobs.map((j) => j.input), now());
      jobs.forEach((job, i) => {
        const o = outcomes[i];
        if (o?.ok) job.resolve(o.result);
        else job.reject(Object.assign(new Error(o?.error.message ?? 'write failed'), o?.error ?? {}));
      });
    },
  });

  let closed = false;

  const alerting = createSqliteAlertingTables(db);
  const otlp = createSqliteOtlpTables(db, { maxPendingJobs: options.maxPendingJobs, thread });

  const verifyApiKeyHash = async (hash: string): Promise<ApiKeyRecord | null> => {
    const row = db.prepare('SELECT * FROM api_keys WHERE secret_hash = ? AND revoked_at IS NULL').get(hash) as KeyRow | undefined;
    return row && hashesEqual(row.secret_hash, hash) ? keyRecord(row) : null;
  };

  return {
    engine: 'sqlite',
    db,
    ...alerting,
    ...otlp.methods,
    ...createSqliteSessionTables(db),

    async migrate() {
      migrateSqlite(db);
      getRunStmt = null;
      backfillRollupsIfEmpty(db, rollupWriter);
    },

    async ping() {
      db.prepare('SELECT 1').get();
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([queue.drain(), otlp.drain()]);
      await thread?.close();
      db.close();
    },

    async ensureProject(name: string): Promise<Project> {
      db.prepare('INSERT INTO projects (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, now());
      return db.prepare('SELECT id, name FROM projects WHERE name = ?').get(name) as Project;
    },

    async getProject(id: number): Promise<Project | null> {
      return (db.prepare('SELECT id, name FROM projects WHERE id = ?').get(id) as Project | undefined) ?? null;
    },

    async createApiKey({ projectId, name, scopes }): Promise<NewApiKey> {
      const { key, row } = newKeyRow({ projectId, name, scopes }, now());
      db.prepare('INSERT INTO api_keys (id, project_id, name, secret_hash, scopes, created_at, revoked_at) VALUES (@id, @project_id, @name, @secret_hash, @scopes, @created_at, @revoked_at)').run(row);
      return { key, record: keyRecord(row) };
    },

    async verifyApiKey(secret: string): Promise<ApiKeyRecord | null> {
      return verifyApiKeyHash(hashSecret(secret));
    },

    verifyApiKeyHash,

    async listApiKeys(projectId?: number): Promise<ApiKeyRecord[]> {
      const rows = projectId === undefined
        ? db.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all()
        : db.prepare('SELECT * FROM api_keys WHERE project_id = ? ORDER BY created_at, id').all(projectId);
      return (rows as KeyRow[]).map(keyRecord);
    },

    async revokeApiKey(id: string): Promise<boolean> {
      return db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now(), id).changes > 0;
    },

    async countActiveApiKeys(): Promise<number> {
      return (db.prepare('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as { n: number }).n;
    },

    writeRuns(projectId: number, runs: RunRecord[], options?: { deleteRunIds?: string[] }): Promise<WriteResult> {
      // Within one request, the last copy of a run_id wins, as it would across requests.
      return queue.push({ projectId, runs, ...(options?.deleteRunIds?.length ? { deleteRunIds: options.deleteRunIds } : {}) });
    },

    async upsertAgent(projectId: number, config: AgentConfig): Promise<void> {
      const t = now();
      db.prepare(`INSERT INTO agents (project_id, agent_name, config, first_seen, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (project_id, agent_name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`)
        .run(projectId, config.name, JSON.stringify(config), t, t);
    },

    async getAgent(projectId: number, agentName: string): Promise<AgentRecord | null> {
      const row = db.prepare('SELECT agent_name, config, first_seen, updated_at FROM agents WHERE project_id = ? AND agent_name = ?')
        .get(projectId, agentName) as AgentRow | undefined;
      return row ? agentRecord(row) : null;
    },

    async listAgents(projectId: number): Promise<AgentRecord[]> {
      const rows = db.prepare('SELECT agent_name, config, first_seen, updated_at FROM agents WHERE project_id = ? ORDER BY agent_name')
        .all(projectId) as AgentRow[];
      return rows.map(agentRecord);
    },

    async getRun(projectId: number, runId: string): Promise<RunRecord | null> {
      const row = getRun().get(projectId, runId);
      return row ? fromRunRow(row) : null;
    },

    async listRuns(projectId: number, f: RunFilter): Promise<RunPage> {
      const where = ['r.project_id = @projectId', 'r.ts >= @from', 'r.ts < @to'];
      const params: Record<string, unknown> = { projectId, from: f.from, to: f.to, limit: f.limit + 1 };
      if (f.agent_name !== undefined) { where.push('r.agent_name = @agent'); params.agent = f.agent_name; }
      if (f.session_id !== undefined) { where.push('r.session_id = @session'); params.session = f.session_id; }
      if (f.completion_status && f.completion_status.length > 0) {
        const names = f.completion_status.map((s, i) => { params[`st${i}`] = s; return `@st${i}`; });
        where.push(`r.completion_status IN (${names.join(', ')})`);
      }
      if (f.tool !== undefined) {
        where.push('EXISTS (SELECT 1 FROM tool_calls t WHERE t.project_id = r.project_id AND t.run_id = r.run_id AND t.name = @tool)');
        params.tool = f.tool;
      }
      if (f.cursor) {
        where.push('(r.ts < @cts OR (r.ts = @cts AND r.run_id < @crun))');
        params.cts = f.cursor.timestamp;
        params.crun = f.cursor.run_id;
      }
      const rows = db.prepare(`SELECT r.* FROM runs r WHERE ${where.join(' AND ')} ORDER BY r.ts DESC, r.run_id DESC LIMIT @limit`)
        .all(params) as RunRow[];
      return toRunPage(rows, f.limit, (r) => fromRunRow(r, false));
    },

    // One process owns a SQLite file, so whoever asks holds the lease; there is nobody to fence.
    async tryAcquireLease(_name: string, holder: string, ttlMs: number): Promise<LeaseGrant> {
      return { held: true, holder, epoch: 1, expires_at: now() + ttlMs };
    },

    async releaseLease(): Promise<void> {},

    async agentRollups(projectId, q) {
      return rollupReader.agentRollups(projectId, q);
    },

    async toolRollups(projectId, q) {
      return rollupReader.toolRollups(projectId, q);
    },

    async modelRollups(projectId, q) {
      return rollupReader.modelRollups(projectId, q);
    },

    async deleteRunsBefore(before, limit) {
      return retention.deleteRunsBefore(before, limit);
    },

    async deleteRollupsBefore(before, limit) {
      return retention.deleteRollupsBefore(before, limit);
    },
  };
}
