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
];
