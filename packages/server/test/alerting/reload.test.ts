// Reloading the rules (SIGHUP): a bad file changes nothing; a good one replaces the rules and the
// alert state carries over by label set.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { alertingServer, KEY, MINUTE, runsFromLine, stepThrough, T0 } from './helpers.js';

describe('rule reload', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-reload-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the running rules on a bad file and carries firing alerts over a good one', async () => {
    const vigil = await alertingServer('alerting: { anomaly: { enabled: false } }');
    try {
      await vigil.store.writeRuns(vigil.projectId, runsFromLine('bot', 'iter', T0));
      await stepThrough(vigil, [T0 + MINUTE]);
      const firing = async () => (await vigil.app.inject({ url: '/api/alerts?state=firing', headers: { authorization: `Bearer ${KEY}` } })).json().alerts;
      const before = await firing();
      expect(before).toHaveLength(1);

      const file = join(dir, 'vigil.yaml');
      writeFileSync(file, 'alerting:\n  rules:\n    SuccessRateDrop: { threshold: 2 }\n');
      const bad = vigil.alerting.reloadRules(file);
      expect(bad.ok).toBe(false);
      expect(!bad.ok && bad.error).toBeInstanceOf(ConfigError);
      expect(vigil.alerting.rules.map((r) => r.name)).toContain('SuccessRateDrop');

      writeFileSync(file, 'alerting:\n  rules:\n    SuccessRateDrop: { enabled: false }\n    IterationLimitHit: { window: 30m }\n');
      expect(vigil.alerting.reloadRules(file)).toEqual({ ok: true });
      expect(vigil.alerting.rules.map((r) => r.name)).not.toContain('SuccessRateDrop');
      expect(vigil.alerting.config.rules.IterationLimitHit.windowMs).toBe(30 * MINUTE);
      // 20 minutes on, the run is outside the old 15m window but inside the new 30m one: still the same episode.
      await stepThrough(vigil, [T0 + 20 * MINUTE]);
      const after = await firing();
      expect(after.map((a: { startsAt: string }) => a.startsAt)).toEqual(before.map((a: { startsAt: string }) => a.startsAt));
    } finally {
      await vigil.close();
    }
  });
});
