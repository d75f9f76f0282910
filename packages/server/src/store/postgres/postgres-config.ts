// The `database:` section of vigil.yaml: how the PostgreSQL store connects and how big its pool
// is. Validated here with file:line:field errors; the URL given by --database-url or
// VIGIL_DATABASE_URL wins over `database.url`.
import { ConfigError } from '../../config/config-error.js';
import { parseDuration } from '@vigil/protocol';
import { isPlainObject, rejectUnknownKeys } from '../../config/vigil-config.js';
import type { YamlSource } from '../../config/yaml-source.js';

/** Connections per replica. PostgreSQL's default max_connections (100) fits ~8 replicas at 10. */
export const DEFAULT_POOL_SIZE = 10;
/** How long ingest waits for a connection before answering 503: an outage must not hang clients. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Longest a statement may run; past it the request fails (503) instead of holding a connection. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

export interface DatabaseConfig {
  /** postgres://user@host:port/db; null when the section does not give one. */
  url: string | null;
  /** Schema holding Vigil's tables (created when missing). Default: public. */
  schema: string;
  /** Largest number of connections this replica opens. Default: 10. */
  poolSize: number;
  /** Wait for a free or new connection, in ms. Default: 5s. */
  connectTimeoutMs: number;
  /** Per-statement limit, in ms. Default: 30s. */
  statementTimeoutMs: number;
}

export function defaultDatabaseConfig(): DatabaseConfig {
  return {
    url: null,
    schema: 'public',
    poolSize: DEFAULT_POOL_SIZE,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS,
  };
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function parseDatabaseSection(raw: unknown, src: YamlSource | null): DatabaseConfig {
  const config = defaultDatabaseConfig();
  if (raw === undefined || raw === null) return config;
  const file = src?.file ?? 'vigil.yaml';
  const line = (path: string[]) => src?.lineOf(['database', ...path]);
  const fail = (field: string, problem: string): never => {
    throw new ConfigError(file, `database.${field}`, problem, line([field]));
  };
  if (!isPlainObject(raw)) throw new ConfigError(file, 'database', 'must be a mapping', line([]));
  if (src) rejectUnknownKeys(src, ['database'], raw, ['url', 'schema', 'pool_size', 'connect_timeout', 'statement_timeout']);

  if (raw.url !== undefined) {
    if (typeof raw.url !== 'string' || !/^postgres(ql)?:\/\//.test(raw.url)) fail('url', 'must be a postgres:// URL');
    config.url = raw.url as string;
  }
  if (raw.schema !== undefined) {
    if (typeof raw.schema !== 'string' || !SCHEMA_NAME.test(raw.schema)) {
      fail('schema', 'must be a lower-case SQL identifier (letters, digits, _; at most 63)');
    }
    config.schema = raw.schema as string;
  }
  if (raw.pool_size !== undefined) {
    const n = raw.pool_size;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 2 || n > 1000) fail('pool_size', 'must be a whole number from 2 to 1000');
    config.poolSize = n as number;
  }
  const duration = (field: 'connect_timeout' | 'statement_timeout'): number | undefined => {
    const v = raw[field];
    if (v === undefined) return undefined;
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    if (ms === undefined || ms <= 0) return fail(field, 'must be a positive duration such as 5s or 500ms');
    return ms;
  };
  config.connectTimeoutMs = duration('connect_timeout') ?? config.connectTimeoutMs;
  config.statementTimeoutMs = duration('statement_timeout') ?? config.statementTimeoutMs;
  return config;
}
