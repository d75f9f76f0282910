// The `database:` section of vigil.yaml: defaults, every field, and errors that name file, line and field.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/vigil-config.js';
import { readYamlSource } from '../../src/config/yaml-source.js';
import { databaseConfigOf } from '../../src/store/open-store.js';
import { DEFAULT_POOL_SIZE } from '../../src/store/postgres/postgres-config.js';

const load = (text: string) => databaseConfigOf(parseConfig(readYamlSource('vigil.yaml', text)));

describe('database config', () => {
  it('defaults apply when the section is absent', () => {
    expect(load('metrics: { public: false }\n')).toEqual({
      url: null, schema: 'public', poolSize: DEFAULT_POOL_SIZE, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000,
    });
    expect(databaseConfigOf(null).poolSize).toBe(DEFAULT_POOL_SIZE);
  });

  it('reads every field', () => {
    expect(load('database:\n  url: postgres://vigil@db:5432/vigil\n  schema: vigil_prod\n  pool_size: 20\n  connect_timeout: 2s\n  statement_timeout: 1m\n')).toEqual({
      url: 'postgres://vigil@db:5432/vigil', schema: 'vigil_prod', poolSize: 20, connectTimeoutMs: 2_000, statementTimeoutMs: 60_000,
    });
  });

  for (const [yaml, field, line] of [
    ['database:\n  url: mysql://x\n', 'database.url', 2],
    ['database:\n  schema: "Bad-Name"\n', 'database.schema', 2],
    ['database:\n  pool_size: 1\n', 'database.pool_size', 2],
    ['database:\n  pool_size: 2.5\n', 'database.pool_size', 2],
    ['database:\n  connect_timeout: soon\n', 'database.connect_timeout', 2],
    ['database:\n\n  statement_timeout: 0s\n', 'database.statement_timeout', 3],
    ['database:\n  pool: 3\n', 'database.pool', 2],
    ['database: postgres://x\n', 'database', 1],
  ] as const) {
    it(`rejects ${field} in ${JSON.stringify(yaml)} naming its line`, () => {
      let error: unknown;
      try {
        load(yaml);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ field, line, file: 'vigil.yaml' });
    });
  }
});
