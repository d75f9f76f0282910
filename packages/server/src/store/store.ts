// The storage contract. Every engine (sqlite/, postgres/) implements it and passes the same
// contract suite. It is asynchronous so that network databases fit behind it unchanged.
import type { AgentConfig, CompletionStatus, RunRecord, Scope } from '@vigil/protocol';
import type { AgentRollup, ModelRollup, RollupQuery, ToolRollup } from './rollup.js';

// Scopes are part of the public contract (protocol); re-exported for the store's callers.
export type { Scope } from '@vigil/protocol';
export { SCOPES } from '@vigil/protocol';

export interface Project {
  id: number;
  name: string;
}

export interface ApiKeyRecord {
  /** Public identifier, safe to show and log (`vk_…`); the secret is never stored. */
  id: string;
  project_id: number;
  name: string;
  scopes: Scope[];
  created_at: number;
  revoked_at: number | null;
}

export interface NewApiKey {
  record: ApiKeyRecord;
  /** The secret, shown once at creation. */
  key: string;
}

export interface AgentRecord {
  agent_name: string;
  config: AgentConfig | null;
  first_seen: number;
  updated_at: number;
}

export interface RunFilter {
  agent_name?: string;
  completion_status?: CompletionStatus[];
  /** Runs that called this tool. */
  tool?: string;
  session_id?: string;
  /** Inclusive start, epoch ms (run timestamp). */
  from: number;
  /** Exclusive end, epoch ms. */
  to: number;
  limit: number;
  cursor?: RunCursor;
}

/** Position after the last run of a page: runs are ordered by timestamp, then run_id, newest first. */
export interface RunCursor {
  timestamp: number;
  run_id: string;
}

export interface RunPage {
  /** Runs without steps and transitions (fetch one run for its full detail). */
  runs: RunRecord[];
  next_cursor: RunCursor | null;
}

export interface WriteResult {
  /** Runs stored (new or replaced). */
  accepted: number;
}

/**
 * A dashboard session (or a sign-in link, which becomes one). `key_hash` is the hash of the key it
 * was opened with, checked again on use so a revoked (or, for command-line keys, removed) key ends
 * its sessions; null for links, which carry their scopes themselves.
 */
export interface DashboardSessionRow {
  id_hash: string;
  project_id: number;
  key_id: string;
  key_hash: string | null;
  scopes: Scope[];
  expires_at: number;
}

/** A run as alert rules read it: the columns they need, tool calls in call order (see listRunFacts). */
export interface RunFact {
  run_id: string;
  agent_name: string;
  /** Run start, epoch ms. */
  ts: number;
  duration_ms: number;
  tokens_used: number;
  iterations: number;
  cost_usd: number | null;
  completion_status: CompletionStatus;
  error_type: string | null;
  /** Empty when listRunFacts was asked for no tool calls. */
  tool_calls: ToolFact[];
}

export interface ToolFact {
  name: string;
  status: 'success' | 'error' | 'timeout';
  /** Call start, epoch ms (the run's start when the call carried none). */
  ts: number;
  duration_ms: number | null;
  args_hash: string | null;
  error_type: string | null;
}

/** One stored alert instance. `body` belongs to alerts/ (its AlertInstance); the store only keeps it. */
export interface AlertRow {
  project_id: number;
  fingerprint: string;
  alertname: string;
  state: string;
  body: unknown;
}

/** One state change of an alert instance, kept for GET /api/alerts/history. */
export interface AlertHistoryRow {
  project_id: number;
  fingerprint: string;
  alertname: string;
  state: string;
  /** Epoch ms. */
  at: number;
  body: unknown;
}

/** A silence; `body` belongs to notify/ (matchers, comment, creator). */
export interface SilenceRow {
  project_id: number;
  id: string;
  starts_at: number;
  ends_at: number;
  body: unknown;
}

/** The state of a named lease after an acquire attempt (see Store.tryAcquireLease). */
export interface LeaseGrant {
  /** True when the asking holder holds the lease now. */
  held: boolean;
  /** Who holds it (null when nobody does). */
  holder: string | null;
  /** Grows by one each time the lease changes hands: a fencing token for work done under it. */
  epoch: number;
  /** When the lease lapses unless renewed, epoch ms on the database's clock. */
  expires_at: number;
}

/** One span held while its trace assembles (ingest/otlp). The payload is JSON ingest/otlp owns. */
export interface OtlpHeldSpan {
  span_id: string;
  payload: string;
}

/** A trace's held spans after a write, as ingest/otlp assembles them into runs. */
export interface OtlpTraceState {
  trace_id: string;
  /** True when the trace's late-span window has passed: its spans are gone and new ones are refused. */
  closed: boolean;
  /** Every span held for the trace, this write's included (empty when closed). */
  spans: OtlpHeldSpan[];
  /** The run ids last written from this trace (markOtlpAssembled), so vanished ones can be removed. */
  run_ids: string[];
}

// ---- Roles. Each consumer takes only the roles it uses (auth: ApiKeyStore, the evaluator:
// RunFactReader & AlertStateStore, …); the engines implement them all as `Store`. ----

/** Opening, readiness and closing: what the server process itself needs. */
export interface StoreLifecycle {
  readonly engine: 'sqlite' | 'postgres';

  /** Brings the schema to the newest version. Safe to call on every start. */
  migrate(): Promise<void>;
  /** Resolves when the database answers; rejects otherwise (readiness). */
  ping(): Promise<void>;
  /** Drains the write queue, then closes the database. */
  close(): Promise<void>;
}

/** Projects: every row belongs to one. */
export interface ProjectStore {
  ensureProject(name: string): Promise<Project>;
  getProject(id: number): Promise<Project | null>;
  listProjects(): Promise<Project[]>;
}

/** API keys, stored by hash only. */
export interface ApiKeyStore {
  createApiKey(input: { projectId: number; name: string; scopes: Scope[] }): Promise<NewApiKey>;
  /** Finds an active key by its secret (compared by hash, in constant time). */
  verifyApiKey(secret: string): Promise<ApiKeyRecord | null>;
  /** The same, from the secret's hash (hashSecret): dashboard sessions keep only that. */
  verifyApiKeyHash(hash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(projectId?: number): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string): Promise<boolean>;
  countActiveApiKeys(): Promise<number>;
}

/** The write path of ingest: runs (with their rollups) and agent registrations. */
export interface RunWriter {
  /**
   * Stores runs durably; resolves only after the transaction holding them has committed.
   * A run whose run_id exists in the project replaces it (last write wins).
   */
  writeRuns(projectId: number, runs: RunRecord[], options?: {
    /**
     * Runs to remove in the same transaction, before `runs` are written (rollups follow). OTLP
     * ingest uses it when a trace's late spans change which runs it holds (ingest/otlp).
     */
    deleteRunIds?: string[];
  }): Promise<WriteResult>;
  upsertAgent(projectId: number, config: AgentConfig): Promise<void>;
}

/** Runs and agents as the read API shows them. */
export interface RunReader {
  getAgent(projectId: number, agentName: string): Promise<AgentRecord | null>;
  listAgents(projectId: number): Promise<AgentRecord[]>;

  getRun(projectId: number, runId: string): Promise<RunRecord | null>;
  listRuns(projectId: number, filter: RunFilter): Promise<RunPage>;
}

/** The lease that lets one replica evaluate alerts (store/lease.ts). */
export interface LeaseStore {
  /**
   * Takes the named lease for `holder` for `ttlMs`, or renews it when `holder` already has it;
   * across replicas at most one holder has it at a time, and an unrenewed lease lapses after
   * ttlMs so another replica can take over. Used for alert evaluation through store/lease.ts
   * (createLeaseKeeper), which renews it and answers isLeader(). SQLite serves one process, so
   * there every holder holds it.
   */
  tryAcquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseGrant>;
  /** Gives the lease up (clean shutdown) so another replica takes over at once. */
  releaseLease(name: string, holder: string): Promise<void>;
}

/** Analytics from the rollups, never from raw runs. */
export interface RollupReader {
  // Analytics (store/rollup.ts defines the row shapes and the counting; engines share it).
  // Rollups are maintained by writeRuns in the same transaction as the runs: a replaced run is
  // subtracted, so counts stay exact. Reads sum whole buckets: `from` rounds down and `to` up to
  // the minute (to the hour for models). Raw runs are never scanned.

  /**
   * Per-agent sums over the range: one entry per agent that has rows (all agents, or
   * `q.agent_name`); with `q.step_ms`, one per agent per step (bucket_start = step start).
   * Sketches come merged; agents without rows in the range are absent.
   */
  agentRollups(projectId: number, q: RollupQuery): Promise<AgentRollup[]>;
  /** Per-agent, per-tool sums (tool calls are counted at their run's timestamp). */
  toolRollups(projectId: number, q: RollupQuery): Promise<ToolRollup[]>;
  /** Per-agent, per-model run counts, cost and unpriced runs, at hour resolution. */
  modelRollups(projectId: number, q: RollupQuery): Promise<ModelRollup[]>;
}

/** Deleting what is past retention (store/retention.ts). */
export interface RetentionStore {
  /**
   * Retention: deletes up to `limit` raw runs (and their tool calls) that started before
   * `before`, oldest first, across projects; returns how many. Rollups are left as they are.
   */
  deleteRunsBefore(before: number, limit: number): Promise<number>;
  /** Retention: deletes up to `limit` rollup rows whose bucket starts before `before`. */
  deleteRollupsBefore(before: number, limit: number): Promise<number>;
}

/** Dashboard sessions and sign-in links (dashboard-api/sessions.ts). */
export interface SessionStore {
  // Shared by every replica. Ids and tokens arrive hashed: the store never holds a usable cookie or link.
  /** Stores a session, and drops sessions that expired before `now`. */
  putDashboardSession(session: DashboardSessionRow, now: number): Promise<void>;
  getDashboardSession(idHash: string): Promise<DashboardSessionRow | null>;
  deleteDashboardSession(idHash: string): Promise<void>;
  /** Ends every session opened with this key id (the key was revoked). */
  deleteDashboardSessionsForKey(keyId: string): Promise<void>;
  /** Stores a sign-in link, and drops links that expired before `now`. */
  putSignInLink(link: DashboardSessionRow, now: number): Promise<void>;
  /** Removes a sign-in link and returns it, atomically: a link works once, on any replica. */
  takeSignInLink(tokenHash: string): Promise<DashboardSessionRow | null>;
}

/** The alert evaluator's compact reads of recent runs. */
export interface RunFactReader {
  /**
   * Runs that started in [from, to), compact, oldest first; with `toolCalls`, each with its tool
   * calls in call order. With `receivedSince`, only the runs written (or re-written) at or after
   * that server time (the run's received_at), read through an index on it, in no promised order:
   * the alert evaluator reads its window once, then only what arrived since. With
   * `writtenFrom` (engines that have a write position, see runWritePosition), only the runs
   * written at or after that position, in the order written. Alert rules read their recent
   * window this way; their 24h baselines come from agentRollups. An engine whose reads block the
   * event loop reads in pages and yields between them, so a run re-written during a large read
   * may come twice (callers key runs by run_id) or, moved to an earlier start, not at all; the
   * alert evaluator's next read of new runs brings it.
   */
  listRunFacts(projectId: number, range: { from: number; to: number; toolCalls: boolean; receivedSince?: number; writtenFrom?: number }): Promise<RunFact[]>;
  /**
   * Where the next run written will stand in the order runs are committed, for engines where
   * that order is one sequence (SQLite: one writer); null where it is not (PostgreSQL: replicas
   * commit side by side, so readers go by received_at with an overlap). Reading `writtenFrom` a
   * position gets every run written since it was taken, whatever the clocks say, and possibly
   * some written shortly before.
   */
  runWritePosition(): Promise<number | null>;
}

/** Alert instances, history, silences and alerting's small state (docs/alerting.md); bodies are JSON the engine keeps opaque. */
export interface AlertStateStore {
  /** Alert instances of one project, or of all projects. */
  listAlertRows(projectId?: number): Promise<AlertRow[]>;
  /** Upserts and deletes instances and appends history, in one transaction. */
  saveAlertChanges(changes: { upserts: AlertRow[]; deletes: { project_id: number; fingerprint: string }[]; history: AlertHistoryRow[] }): Promise<void>;
  /** History in [from, to), newest first. */
  listAlertHistory(projectId: number, q: { from: number; to: number; limit: number }): Promise<AlertHistoryRow[]>;
  /** Creates or replaces a silence (by project and id). */
  putSilence(row: SilenceRow): Promise<void>;
  /** Silences of one project (all, or only those ending after `endsAfter`), or of all projects. */
  listSilences(projectId?: number, endsAfter?: number): Promise<SilenceRow[]>;
  /** Alerting's own small state (notification log, group timers, detector state) by key prefix. */
  getAlertingValues(projectId: number, prefix: string): Promise<Map<string, unknown>>;
  /** Writes (value not undefined) or deletes (undefined) keys, in one transaction. */
  putAlertingValues(projectId: number, entries: [string, unknown][]): Promise<void>;
}

/** Spans held while their trace assembles (ingest/otlp). */
export interface OtlpHolding {
  // ---- OTLP trace assembly (ingest/otlp; docs/opentelemetry.md). A trace's spans may arrive over
  // several requests; they are held here until its run is final, so an acknowledged span survives
  // a restart. Payloads are JSON the engine keeps opaque. Engines: store/sqlite/otlp-tables.ts. ----

  /**
   * Holds spans (a re-sent span_id replaces its copy) and sets each trace's last_received_at to
   * `receivedAt`; durable when it resolves. Returns, per trace, every span now held, read in the
   * same transaction. A closed trace stores nothing and comes back with `closed: true`.
   */
  putOtlpSpans(projectId: number, traces: {
    trace_id: string;
    spans: OtlpHeldSpan[];
    /** Store only when the trace is already held (open); otherwise it is left out of the result. */
    if_open?: boolean;
  }[], receivedAt: number): Promise<OtlpTraceState[]>;
  /** The held spans of one trace (null when unknown). */
  getOtlpTrace(projectId: number, traceId: string): Promise<OtlpTraceState | null>;
  /** Records that the trace's runs (`run_ids`) were written from `span_count` held spans. */
  markOtlpAssembled(projectId: number, marks: { trace_id: string; span_count: number; run_ids: string[] }[]): Promise<void>;
  /**
   * Open traces whose runs are behind their spans (never assembled, or assembled from fewer
   * spans than are held) and whose last span arrived before `receivedBefore`, oldest first.
   */
  listOtlpTracesToAssemble(receivedBefore: number, limit: number): Promise<{ project_id: number; trace_id: string }[]>;
  /**
   * Closes up to `limit` assembled traces whose last span arrived before `receivedBefore`: drops
   * their spans and keeps a small marker so later spans are refused; forgets markers whose last
   * span arrived before `forgetBefore`. Returns how many traces it closed.
   */
  closeOtlpTraces(receivedBefore: number, forgetBefore: number, limit: number): Promise<number>;
}

/** Everything an engine provides; only app/ and the engines themselves see it whole. */
export interface Store
  extends StoreLifecycle, ProjectStore, ApiKeyStore, RunWriter, RunReader, LeaseStore, RollupReader,
    RetentionStore, SessionStore, RunFactReader, AlertStateStore, OtlpHolding {}

/** Raised by a store when its write queue is full: callers answer 429 with Retry-After. */
export class StoreOverloadedError extends Error {
  /** The API error code the web layer answers with (web/error-handler.ts reads it by shape). */
  readonly code = 'OVERLOADED' as const;
  constructor(readonly retryAfterSeconds: number) {
    super('the write queue is full');
    this.name = 'StoreOverloadedError';
  }
}

/** Raised by a store when the database cannot be reached: callers answer 503 with Retry-After. */
export class StoreUnavailableError extends Error {
  /** The API error code the web layer answers with (web/error-handler.ts reads it by shape). */
  readonly code = 'UNAVAILABLE' as const;
  constructor(message: string, readonly retryAfterSeconds = 5) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}
