// Rows of the api_keys and agents tables as both engines read them, and their records. The
// columns are the same in SQLite and PostgreSQL (the pg store parses bigint as number), so the
// mapping is written once here; engine files keep only their SQL.
import type { AgentConfig } from '@vigil/protocol';
import { generateKeyId, generateSecret, hashSecret } from '@vigil/protocol';
import type { AgentRecord, ApiKeyRecord, Scope } from './store.js';

export interface KeyRow {
  id: string;
  project_id: number;
  name: string;
  secret_hash: string;
  /** Comma-separated scopes. */
  scopes: string;
  created_at: number;
  revoked_at: number | null;
}

export interface AgentRow {
  agent_name: string;
  /** The registered config as JSON text, or null for an agent seen only in runs. */
  config: string | null;
  first_seen: number;
  updated_at: number;
}

/** A new key: its secret (shown once) and the row to insert, which holds only the secret's hash. */
export function newKeyRow(input: { projectId: number; name: string; scopes: readonly Scope[] }, createdAt: number): { key: string; row: KeyRow } {
  const key = generateSecret();
  const row: KeyRow = {
    id: generateKeyId(),
    project_id: input.projectId,
    name: input.name,
    secret_hash: hashSecret(key),
    scopes: [...new Set(input.scopes)].join(','),
    created_at: createdAt,
    revoked_at: null,
  };
  return { key, row };
}

export const keyRecord = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  project_id: r.project_id,
  name: r.name,
  scopes: r.scopes.split(',') as Scope[],
  created_at: r.created_at,
  revoked_at: r.revoked_at,
});

export const agentRecord = (r: AgentRow): AgentRecord => ({
  agent_name: r.agent_name,
  config: r.config ? (JSON.parse(r.config) as AgentConfig) : null,
  first_seen: r.first_seen,
  updated_at: r.updated_at,
});
