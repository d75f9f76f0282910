// The retention worker and its config: sweeps delete in batches with the clock it is given, and
// the `retention:` section's errors name the field.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/vigil-config.js';
import { readYamlSource } from '../../src/config/yaml-source.js';
import { createRetentionWorker, parseRetentionConfig } from '../../src/store/retention.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { DAY, makeRun, T0 } from './contract/fixtures.js';

const yaml = (text: string) => parseConfig(readYamlSource('vigil.yaml', text));

describe('retention', () => {
  it('defaults to 30 days of runs and 400 days of rollups, and reads the config', () => {
    expect(parseRetentionConfig(yaml(''))).toEqual({ runsMs: 30 * DAY, rollupsMs: 400 * DAY });
    expect(parseRetentionConfig(yaml('retention:\n  runs: 7d\n  rollups: 90d\n'))).toEqual({ runsMs: 7 * DAY, rollupsMs: 90 * DAY });
  });

  it('names the field of a bad retention setting', () => {
    expect(() => parseRetentionConfig(yaml('retention:\n  runs: forever\n'))).toThrow(ConfigError);
    expect(() => parseRetentionConfig(yaml('retention:\n  runs: forever\n'))).toThrow(/vigil\.yaml:2: retention\.runs/);
    expect(() => parseRetentionConfig(yaml('retention:\n  runs: 30d\n  rollups: 7d\n'))).toThrow(/retention\.rollups/);
    expect(() => parseRetentionConfig(yaml('retention:\n  raw: 30d\n'))).toThrow(/retention\.raw/);
  });

  it('sweeps old runs in small batches until none is left, keeping rollups', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    const p = await store.ensureProject('default');
    const old = Array.from({ length: 25 }, (_, i) => makeRun({ run_id: `old-${i}`, timestamp: T0 - 31 * DAY + i }));
    await store.writeRuns(p.id, [...old, makeRun({ run_id: 'recent', timestamp: T0 - DAY })]);
    const swept: number[] = [];
    const worker = createRetentionWorker({
      store, config: { runsMs: 30 * DAY, rollupsMs: 400 * DAY }, now: () => T0, batchSize: 10, onSwept: (r) => swept.push(r.runs),
    });
    expect(await worker.sweep()).toEqual({ runs: 25, rollups: 0 });
    expect(await worker.sweep()).toEqual({ runs: 0, rollups: 0 });
    expect(swept).toEqual([25, 0]);
    expect(await store.getRun(p.id, 'recent')).not.toBeNull();
    const [rollup] = await store.agentRollups(p.id, { from: T0 - 40 * DAY, to: T0 });
    expect(rollup!.runs).toBe(26);
    await worker.stop();
    await store.close();
  });

  it('lets a write commit between its batches instead of waiting for the whole sweep', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    const p = await store.ensureProject('default');
    await store.writeRuns(p.id, Array.from({ length: 3_000 }, (_, i) => makeRun({ run_id: `old-${i}`, timestamp: T0 - 31 * DAY + i })));
    const worker = createRetentionWorker({ store, config: { runsMs: 30 * DAY, rollupsMs: 400 * DAY }, now: () => T0, batchSize: 100 });
    const order: string[] = [];
    const sweep = worker.sweep().then((r) => { order.push(`sweep:${r.runs}`); });
    await new Promise((resolve) => setImmediate(resolve));
    const write = store.writeRuns(p.id, [makeRun({ run_id: 'fresh', timestamp: T0 })]).then(() => { order.push('write'); });
    await Promise.all([sweep, write]);
    expect(order).toEqual(['write', 'sweep:3000']);
    await worker.stop();
    await store.close();
  });
});
