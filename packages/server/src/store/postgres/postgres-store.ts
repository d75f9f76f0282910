// The PostgreSQL store (node-postgres): the same contract as SQLite, for several stateless
// replicas on one database. This file holds the pool, migrations, partitions upkeep and the
// reads; writes are run-writer.ts, rollups rollup-*.ts, alert state alerting-tables.ts, OTLP
// spans otlp-tables.ts. Every failure to reach the database surfaces as StoreUnavailableError
// (503 + Retry-After), never as a hang or a lost acknowledged write.
import pg from 'pg';
import type { AgentConfig, RunRecord } from '@vigil/protocol';
import { hashesEqual, hashSecret } from '@vigil/protocol';
import type {
  AgentRecord, ApiKeyRecord, LeaseGrant, NewApiKey, Project, RunFilter, RunPage, Store, WriteResult,
} from '../store.js';
import { createPostgresAlertingTables } from './alerting-tables.js';
import { createPostgresSessionTables } from './session-tables.js';
import { migrations } from './migrations.js';
import { createPostgresOtlpTables } from './otlp-tables.js';
import {
  createPartitions, dayOf, DAY_MS, listPartitionDays, PARTITION_DAYS_AHEAD, PARTITION_DAYS_BEHIND,
} from './partitions.js';
import { isUnavailable, toStoreError } from './pg-errors.js';
import { defaultDatabaseConfig } from './postgres-config.js';
import { deleteRollupsBefore, deleteRunsBefore } from './retention.js';
import { readAgentRollups, readModelRollups, readToolRollups } from './rollup-reader.js';
import { pickRollupShard } from './rollup-writer.js';
import { fromRunRow, type RunRow } from './run-rows.js';
import { toRunPage } from '../run-page.js';
import { agentRecord, keyRecord, newKeyRow, type AgentRow, type KeyRow } from '../key-agent-rows.js';
import { createRunWriter } from './run-writer.js';

/** How often partitions ahead are created while the store runs. */
const PARTITION_MAINTENANCE_MS = 3_600_000;
/** Idle connections are closed after this, so a quiet replica holds few. */
const IDLE_TIMEOUT_MS = 30_000;

export interface PostgresStoreOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Schema for Vigil's tables; created when missing. Tests use one per run. Default: public. */
  schema?: string;
  poolSize?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  maxPendingJobs?: number;
  /** Clock for created_at fields; tests pass a fixed one. */
  now?: () => number;
  /** This writer's rollup shard (rollup-writer.ts); random by default. */
  rollupShard?: number;
}

export interface PostgresStore extends Store {
  readonly engine: 'postgres';
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Creates the daily partitions holding these timestamps, when missing. */
  ensurePartitions(timestamps: Iterable<number>): Promise<void>;
  /** Days that have partitions now, oldest first (for tests and operators). */
  partitionDays(): Promise<number[]>;
}

// bigint and numeric come back as strings by default; every one we store is an epoch ms, a count
// or a sum well inside 2^53, so numbers are exact.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const defaults = defaultDatabaseConfig();
  const now = options.now ?? Date.now;
  const schema = options.schema ?? defaults.schema;
  const statementTimeoutMs = options.statementTimeoutMs ?? defaults.statementTimeoutMs;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? defaults.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? defaults.connectTimeoutMs,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    statement_timeout: statementTimeoutMs,
    // A database that stops answering (no RST, no reply) fails the query instead of hanging it.
    query_timeout: statementTimeoutMs + 5_000,
    keepAlive: true,
    application_name: 'vigil',
    options: `-c search_path=${schema}`,
    types,
  });
  // An idle connection that the server closes (restart, failover) is reported here; the pool
  // has already dropped it, and the next query opens a new one. Without a listener it would crash.
  pool.on('error', () => undefined);

  const knownDays = new Set<number>();
  const rollupShard = options.rollupShard ?? pickRollupShard();
  let maintenance: NodeJS.Timeout | null = null;

  async function query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async function withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    let broken: Error | undefined;
    // A checked-out connection that dies between two queries emits 'error'; unheard, it would
    // crash the process. The next query on it fails and the connection is destroyed below.
    const onError = (error: Error): void => { broken = error; };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (error) {
      // A connection that failed mid-transaction is destroyed rather than returned to the pool.
      if (isUnavailable(error)) broken ??= error as Error;
      throw toStoreError(error);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async function ensurePartitions(timestamps: Iterable<number>): Promise<void> {
    const missing = [...new Set([...timestamps].map(dayOf))].filter((d) => !knownDays.has(d));
    if (missing.length === 0) return;
    await withClient((c) => createPartitions(c, schema, missing));
    for (const d of missing) knownDays.add(d);
  }

  async function createPartitionsAhead(): Promise<void> {
    const today = dayOf(now());
    const days: number[] = [];
    for (let i = -PARTITION_DAYS_BEHIND; i <= PARTITION_DAYS_AHEAD; i++) days.push(today + i * DAY_MS);
    await ensurePartitions(days);
  }

  const writer = createRunWriter({
    withClient,
    ensurePartitions,
    forgetPartitions: () => knownDays.clear(),
    rollupShard,
    now,
    maxPendingJobs: options.maxPendingJobs,
  });

  let closed = false;

  const transaction = (fn: (client: pg.PoolClient) => Promise<void>): Promise<void> => withClient(async (c) => {
    await c.query('BEGIN');
    try {
      await fn(c);
      await c.query('COMMIT');
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
  const alerting = createPostgresAlertingTables(query, transaction);
  const otlp = createPostgresOtlpTables(query, transaction, { maxPendingJobs: options.maxPendingJobs });
  const rows = (text: string, values: unknown[]) => query<Record<string, unknown>>(text, values);

  const verifyApiKeyHash = async (hash: string): Promise<ApiKeyRecord | null> => {
    const row = (await query<KeyRow>('SELECT * FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL', [hash])).rows[0];
    return row && hashesEqual(row.secret_hash, hash) ? keyRecord(row) : null;
  };

  return {
    engine: 'postgres',
    pool,
    schema,
    ensurePartitions,

    partitionDays: () => withClient((c) => listPartitionDays(c, schema)),
    ...alerting,
    ...createPostgresSessionTables(query),
    ...otlp.methods,

    async migrate() {
      await withClient(async (c) => {
        // A session lock on a dedicated connection: replicas starting together migrate one at a time.
        await c.query("SELECT pg_advisory_lock(hashtext('vigil:migrate'), hashtext($1))", [schema]);
        try {
          await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
          await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
          const applied = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
          for (const m of migrations) {
            if (applied.has(m.version)) continue;
            await c.query('BEGIN');
            try {
              await c.query(m.sql);
              await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
              await c.query('COMMIT');
            } catch (error) {
              await c.query('ROLLBACK').catch(() => undefined);
              throw error;
            }
          }
        } finally {
          await c.query("SELECT pg_advisory_unlock(hashtext('vigil:migrate'), hashtext($1))", [schema]);
        }
        for (const d of await listPartitionDays(c, schema)) knownDays.add(d);
      });
      await createPartitionsAhead();
      if (!maintenance && !closed) {
        maintenance = setInterval(() => void createPartitionsAhead().catch(() => undefined), PARTITION_MAINTENANCE_MS);
        maintenance.unref();
      }
    },

    async ping() {
      await query('SELECT 1');
    },

    async close() {
      if (closed) return;
      closed = true;
      if (maintenance) clearInterval(maintenance);
      await Promise.all([writer.drain(), otlp.drain()]);
      await pool.end();
    },

    async ensureProject(name: string): Promise<Project> {
      await query('INSERT INTO projects (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, now()]);
      return (await query<Project>('SELECT id, name FROM projects WHERE name = $1', [name])).rows[0]!;
    },

    async getProject(id: number): Promise<Project | null> {
      return (await query<Project>('SELECT id, name FROM projects WHERE id = $1', [id])).rows[0] ?? null;
    },

    async createApiKey(input): Promise<NewApiKey> {
      const { key, row } = newKeyRow(input, now());
      await query('INSERT INTO api_keys (id, project_id, name, secret_hash, scopes, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [row.id, row.project_id, row.name, row.secret_hash, row.scopes, row.created_at, row.revoked_at]);
      return { key, record: keyRecord(row) };
    },

    async verifyApiKey(secret: string): Promise<ApiKeyRecord | null> {
      return verifyApiKeyHash(hashSecret(secret));
    },

    verifyApiKeyHash,

    async listApiKeys(projectId?: number): Promise<ApiKeyRecord[]> {
      const { rows } = projectId === undefined
        ? await query<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id')
        : await query<KeyRow>('SELECT * FROM api_keys WHERE project_id = $1 ORDER BY created_at, id', [projectId]);
      return rows.map(keyRecord);
    },

    async revokeApiKey(id: string): Promise<boolean> {
      return ((await query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now(), id])).rowCount ?? 0) > 0;
    },

    async countActiveApiKeys(): Promise<number> {
      return (await query<{ n: number }>('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL')).rows[0]!.n;
    },

    writeRuns(projectId: number, runs: RunRecord[], options?: { deleteRunIds?: string[] }): Promise<WriteResult> {
      if (closed) return Promise.reject(toStoreError(new Error('Cannot use a pool after calling end')));
      return writer.write({ projectId, runs, ...(options?.deleteRunIds?.length ? { deleteRunIds: options.deleteRunIds } : {}) });
    },

    async upsertAgent(projectId: number, config: AgentConfig): Promise<void> {
      const t = now();
      await query(`INSERT INTO agents (project_id, agent_name, config, first_seen, updated_at) VALUES ($1, $2, $3, $4, $4)
        ON CONFLICT (project_id, agent_name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
      [projectId, config.name, JSON.stringify(config), t]);
      writer.knowAgent(projectId, config.name);
    },

    async getAgent(projectId: number, agentName: string): Promise<AgentRecord | null> {
      const row = (await query<AgentRow>('SELECT agent_name, config, first_seen, updated_at FROM agents WHERE project_id = $1 AND agent_name = $2',
        [projectId, agentName])).rows[0];
      return row ? agentRecord(row) : null;
    },

    async listAgents(projectId: number): Promise<AgentRecord[]> {
      const { rows } = await query<AgentRow>('SELECT agent_name, config, first_seen, updated_at FROM agents WHERE project_id = $1 ORDER BY agent_name',
        [projectId]);
      return rows.map(agentRecord);
    },

    async getRun(projectId: number, runId: string): Promise<RunRecord | null> {
      const row = (await query<RunRow>(
        `SELECT r.* FROM run_keys k JOIN runs r ON r.project_id = k.project_id AND r.run_id = k.run_id AND r.ts = k.ts
         WHERE k.project_id = $1 AND k.run_id = $2`,
        [projectId, runId],
      )).rows[0];
      return row ? fromRunRow(row) : null;
    },

    async listRuns(projectId: number, f: RunFilter): Promise<RunPage> {
      const values: unknown[] = [projectId, f.from, f.to];
      const param = (v: unknown): string => {
        values.push(v);
        return `$${values.length}`;
      };
      const where = ['r.project_id = $1', 'r.ts >= $2', 'r.ts < $3'];
      if (f.agent_name !== undefined) where.push(`r.agent_name = ${param(f.agent_name)}`);
      if (f.session_id !== undefined) where.push(`r.session_id = ${param(f.session_id)}`);
      if (f.completion_status && f.completion_status.length > 0) where.push(`r.completion_status = ANY(${param(f.completion_status)}::text[])`);
      if (f.tool !== undefined) {
        where.push(`EXISTS (SELECT 1 FROM tool_calls t WHERE t.project_id = r.project_id AND t.run_id = r.run_id AND t.run_ts = r.ts AND t.name = ${param(f.tool)})`);
      }
      if (f.cursor) {
        const cts = param(f.cursor.timestamp);
        where.push(`(r.ts < ${cts} OR (r.ts = ${cts} AND r.run_id < ${param(f.cursor.run_id)}))`);
      }
      const { rows } = await query<RunRow>(
        `SELECT r.* FROM runs r WHERE ${where.join(' AND ')} ORDER BY r.ts DESC, r.run_id DESC LIMIT ${param(f.limit + 1)}`,
        values,
      );
      return toRunPage(rows, f.limit, (r) => fromRunRow(r, false));
    },

    async tryAcquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseGrant> {
      // Taken when free, expired, or already ours; the epoch grows only when the holder changes.
      const clock = "(extract(epoch from clock_timestamp()) * 1000)::bigint";
      const taken = await query<{ holder: string; epoch: number; expires_at: number }>(
        `INSERT INTO leases AS l (name, holder, epoch, expires_at) VALUES ($1, $2, 1, ${clock} + $3)
         ON CONFLICT (name) DO UPDATE SET
           holder = excluded.holder,
           epoch = CASE WHEN l.holder = excluded.holder THEN l.epoch ELSE l.epoch + 1 END,
           expires_at = excluded.expires_at
         WHERE l.holder = excluded.holder OR l.expires_at <= ${clock}
         RETURNING holder, epoch, expires_at`,
        [name, holder, Math.max(1, Math.round(ttlMs))],
      );
      const row = taken.rows[0] ?? (await query<{ holder: string; epoch: number; expires_at: number }>(
        'SELECT holder, epoch, expires_at FROM leases WHERE name = $1', [name],
      )).rows[0];
      if (!row) return { held: false, holder: null, epoch: 0, expires_at: 0 };
      return { held: taken.rows.length > 0, holder: row.holder, epoch: row.epoch, expires_at: row.expires_at };
    },

    agentRollups: (projectId, q) => readAgentRollups(rows, projectId, q),
    toolRollups: (projectId, q) => readToolRollups(rows, projectId, q),
    modelRollups: (projectId, q) => readModelRollups(rows, projectId, q),

    async deleteRunsBefore(before: number, limit: number): Promise<number> {
      const result = await withClient((c) => deleteRunsBefore(c, schema, before, limit));
      for (const d of result.droppedDays) knownDays.delete(d);
      return result.deleted;
    },

    deleteRollupsBefore: (before: number, limit: number) => withClient((c) => deleteRollupsBefore(c, before, limit)),

    async releaseLease(name: string, holder: string): Promise<void> {
      await query(
        "UPDATE leases SET expires_at = (extract(epoch from clock_timestamp()) * 1000)::bigint WHERE name = $1 AND holder = $2",
        [name, holder],
      );
    },
  };
}
