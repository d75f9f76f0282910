import { describe, expect, it } from 'vitest';
import { resolveServeOptions, UsageError } from '../../src/app/server-options.js';

describe('vigil serve options', () => {
  it('defaults to 127.0.0.1:4318, ./data/vigil.db and no demo', () => {
    expect(resolveServeOptions([], {})).toMatchObject({
      port: 4318, host: '127.0.0.1', db: './data/vigil.db', databaseUrl: null, configFile: null, apiKeys: [], demo: false,
    });
  });

  it('reads VIGIL_* variables, and flags win over them', () => {
    const env = { VIGIL_PORT: '9000', VIGIL_HOST: '0.0.0.0', VIGIL_DB: '/tmp/x.db', VIGIL_CONFIG: 'v.yaml', VIGIL_API_KEYS: 'a, b', VIGIL_DATABASE_URL: 'postgres://h/db' };
    expect(resolveServeOptions([], env)).toMatchObject({ port: 9000, host: '0.0.0.0', db: '/tmp/x.db', configFile: 'v.yaml', apiKeys: ['a', 'b'], databaseUrl: 'postgres://h/db' });
    expect(resolveServeOptions(['--port', '9100', '--api-key', 'c', '--api-key', 'd'], env)).toMatchObject({ port: 9100, apiKeys: ['c', 'd', 'a', 'b'] });
  });

  it('lets --no-demo win over --demo', () => {
    expect(resolveServeOptions(['--demo'], {}).demo).toBe(true);
    expect(resolveServeOptions(['--demo', '--no-demo'], {}).demo).toBe(false);
  });

  it('refuses a bad port and unknown flags with a usage error naming them', () => {
    expect(() => resolveServeOptions(['--port', 'http'], {})).toThrow(/--port/);
    expect(() => resolveServeOptions([], { VIGIL_PORT: '70000' })).toThrow(/VIGIL_PORT/);
    expect(() => resolveServeOptions(['--prot', '1'], {})).toThrow(UsageError);
  });
});
