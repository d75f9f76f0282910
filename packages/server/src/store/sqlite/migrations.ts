// Versioned schema for SQLite. Each migration runs once, in order, inside a transaction;
// applied versions are recorded in schema_migrations. Never edit a released migration: add one.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'projects, api keys, agents, runs, tool calls',
    sql: `
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE TABLE agents (
        project_id INTEGER NOT NULL,
        agent_name TEXT NOT NULL,
        config TEXT,
        first_seen INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, agent_name)
      ) WITHOUT ROWID;
      CREATE TABLE runs (
        project_id INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        agent_name TEXT NOT NULL,
        ts INTEGER NOT NULL,
        ended_at INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        iterations INTEGER NOT NULL,
        tokens_used INTEGER NOT NULL,
        tokens_input INTEGER NOT NULL,
        tokens_output INTEGER NOT NULL,
        tokens_cached_input INTEGER NOT NULL,
        tokens_reasoning INTEGER NOT NULL,
        model TEXT,
        completion_status TEXT NOT NULL,
        error_type TEXT,
        error_message TEXT,
        cost_usd REAL,
        environment TEXT,
        release TEXT,
        session_id TEXT,
        user_id TEXT,
        tags TEXT,
        sampled INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        detail TEXT NOT NULL,
        PRIMARY KEY (project_id, run_id)
      );
      CREATE INDEX runs_by_time ON runs (project_id, ts DESC, run_id DESC);
      CREATE INDEX runs_by_agent_time ON runs (project_id, agent_name, ts DESC, run_id DESC);
      CREATE INDEX runs_by_session ON runs (project_id, session_id) WHERE session_id IS NOT NULL;
      CREATE TABLE tool_calls (
        project_id INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        agent_name TEXT NOT NULL,
        ts INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        duration_ms REAL,
        args_hash TEXT,
        error_type TEXT,
        PRIMARY KEY (project_id, run_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX tool_calls_by_agent_time ON tool_calls (project_id, agent_name, ts);
      CREATE INDEX tool_calls_by_name_time ON tool_calls (project_id, name, ts);
    `,
  },
  {
    version: 2,
    name: 'rollups per agent, tool and model, at minute, hour and day (store/rollup.ts)',
    // Keys lead with the agent: every read names one agent (fleet reads loop over agents), and
    // retention deletes one agent's old buckets by key range. Sketches are quantile-sketch.ts's encoding.
    sql: `
      CREATE TABLE rollup_agent (
        project_id INTEGER NOT NULL,
        agent_name TEXT NOT NULL,
        level_ms INTEGER NOT NULL,
        bucket_start INTEGER NOT NULL,
        runs INTEGER NOT NULL,
        runs_success INTEGER NOT NULL,
        runs_error INTEGER NOT NULL,
        runs_iteration_limit INTEGER NOT NULL,
        runs_timeout INTEGER NOT NULL,
        runs_cancelled INTEGER NOT NULL,
        runs_gave_up INTEGER NOT NULL,
        duration_ms_sum REAL NOT NULL,
        iterations_sum INTEGER NOT NULL,
        tokens_used_sum INTEGER NOT NULL,
        tokens_input_sum INTEGER NOT NULL,
        tokens_output_sum INTEGER NOT NULL,
        tokens_cached_input_sum INTEGER NOT NULL,
        tokens_reasoning_sum INTEGER NOT NULL,
        failed_tokens_sum INTEGER NOT NULL,
        cost_usd_sum REAL NOT NULL,
        priced_runs INTEGER NOT NULL,
        tool_calls INTEGER NOT NULL,
        tool_errors INTEGER NOT NULL,
        tool_timeouts INTEGER NOT NULL,
        duration_sketch BLOB NOT NULL,
        tokens_sketch BLOB NOT NULL,
        iterations_sketch BLOB NOT NULL,
        PRIMARY KEY (project_id, agent_name, level_ms, bucket_start)
      ) WITHOUT ROWID;
      CREATE TABLE rollup_tool (
        project_id INTEGER NOT NULL,
        agent_name TEXT NOT NULL,
        level_ms INTEGER NOT NULL,
        bucket_start INTEGER NOT NULL,
        tool_name TEXT NOT NULL,
        calls INTEGER NOT NULL,
        success INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        timeouts INTEGER NOT NULL,
        timed_calls INTEGER NOT NULL,
        duration_ms_sum REAL NOT NULL,
        runs_with_tool INTEGER NOT NULL,
        repeated_args_calls INTEGER NOT NULL,
        duration_sketch BLOB NOT NULL,
        PRIMARY KEY (project_id, agent_name, level_ms, bucket_start, tool_name)
      ) WITHOUT ROWID;
      CREATE TABLE rollup_model (
        project_id INTEGER NOT NULL,
        agent_name TEXT NOT NULL,
        level_ms INTEGER NOT NULL,
        bucket_start INTEGER NOT NULL,
        model TEXT NOT NULL,
        runs INTEGER NOT NULL,
        unpriced_runs INTEGER NOT NULL,
        cost_usd_sum REAL NOT NULL,
        tokens_used_sum INTEGER NOT NULL,
        PRIMARY KEY (project_id, agent_name, level_ms, bucket_start, model)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'alerting: alert instances, history, silences, alerting state (store/sqlite/alerting-tables.ts)',
    // Bodies are JSON owned by alerts/ and notify/; columns hold only what is looked up.
    sql: `
      CREATE TABLE alert_instances (
        project_id INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        alertname TEXT NOT NULL,
        state TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (project_id, fingerprint)
      ) WITHOUT ROWID;
      CREATE TABLE alert_history (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        alertname TEXT NOT NULL,
        state TEXT NOT NULL,
        at INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alert_history_by_time ON alert_history (project_id, at);
      CREATE TABLE silences (
        project_id INTEGER NOT NULL,
        id TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (project_id, id)
      ) WITHOUT ROWID;
      CREATE TABLE alerting_values (
        project_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (project_id, key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'otlp: spans held while their trace assembles (store/sqlite/otlp-tables.ts)',
    // Payloads are ingest/otlp's JSON. A closed trace keeps only its row, so late spans are refused.
    sql: `
      CREATE TABLE otlp_traces (
        project_id INTEGER NOT NULL,
        trace_id TEXT NOT NULL,
        first_received_at INTEGER NOT NULL,
        last_received_at INTEGER NOT NULL,
        span_count INTEGER NOT NULL,
        assembled_count INTEGER NOT NULL,
        run_ids TEXT NOT NULL,
        closed INTEGER NOT NULL,
        PRIMARY KEY (project_id, trace_id)
      ) WITHOUT ROWID;
      CREATE INDEX otlp_traces_by_received ON otlp_traces (closed, last_received_at);
      CREATE TABLE otlp_spans (
        project_id INTEGER NOT NULL,
        trace_id TEXT NOT NULL,
        span_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        PRIMARY KEY (project_id, trace_id, span_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'rollups gain a 10-minute level: rebuilt from the raw runs on start (rollup-backfill.ts)',
    sql: `
      DELETE FROM rollup_agent;
      DELETE FROM rollup_tool;
      DELETE FROM rollup_model;
    `,
  },
  {
    version: 6,
    name: 'drop the tool_calls secondary indexes: every read reaches tool calls through their run (primary key)',
    // Measured: the two indexes cost about 40% of the write thread's time per run (BENCHMARKS.md,
    // "Ingest"), and no query used them — the runs-list tool filter and the alert rules' window
    // reads join from runs on (project_id, run_id).
    sql: `
      DROP INDEX IF EXISTS tool_calls_by_agent_time;
      DROP INDEX IF EXISTS tool_calls_by_name_time;
    `,
  },
  {
    version: 7,
    name: 'runs by arrival: the alert evaluator reads only the runs received since its last cycle',
    sql: `
      CREATE INDEX runs_by_received ON runs (project_id, received_at);
    `,
  },
  {
    version: 8,
    name: 'dashboard sessions and sign-in links, shared by replicas and kept across restarts (session-tables.ts)',
    sql: `
      CREATE TABLE dashboard_sessions (
        id_hash TEXT PRIMARY KEY,
        project_id INTEGER NOT NULL,
        key_id TEXT NOT NULL,
        key_hash TEXT,
        scopes TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX dashboard_sessions_by_key ON dashboard_sessions (key_id);
      CREATE TABLE dashboard_sign_in_links (
        id_hash TEXT PRIMARY KEY,
        project_id INTEGER NOT NULL,
        key_id TEXT NOT NULL,
        key_hash TEXT,
        scopes TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
