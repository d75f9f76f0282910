import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/vigil-config.js';
import { createDemoKey, DEMO_ALERTING, DEMO_KEY_NAME, demoShouldRun, launchDemoFleet } from '../../../src/app/demo/launcher.js';
import { prepareServeDemo } from '../../../src/app/demo/serve-demo.js';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { VigilServer } from '../../../src/app/server.js';
import { auth, makeRun, startTestServer } from '../../helpers/test-server.js';

const quiet = () => {};

describe('when vigil serve --demo starts the fleet', () => {
  it('starts on an empty store and on one holding only demo agents, never beside other agents', async () => {
    const vigil = await startTestServer({ alerting: { start: false } });
    try {
      const p = vigil.defaultProject.id;
      expect(await demoShouldRun(vigil.store, p, Date.now())).toBe(true);
      const post = (url: string, payload: object) => vigil.app.inject({ method: 'POST', url, payload, headers: auth() });
      expect((await post('/v1/runs', { runs: [makeRun({ agent_name: 'billing_agent' })] })).statusCode).toBe(200);
      expect(await demoShouldRun(vigil.store, p, Date.now())).toBe(true);
      expect((await post('/v1/agents', { name: 'checkout_agent' })).statusCode).toBe(200);
      expect(await demoShouldRun(vigil.store, p, Date.now())).toBe(false);
    } finally {
      await vigil.close();
    }
  });

  it('gives the rules short windows only when vigil.yaml has no alerting section', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    try {
      const bare = defaultConfig();
      expect(await prepareServeDemo(store, 'default', bare, quiet)).toEqual({ history: true });
      expect(bare.sections.alerting).toEqual(DEMO_ALERTING);
      const own = defaultConfig();
      own.sections.alerting = { evaluation_interval: '30s' };
      expect(await prepareServeDemo(store, 'default', own, quiet)).toEqual({ history: true });
      expect(own.sections.alerting).toEqual({ evaluation_interval: '30s' });
    } finally {
      await store.close();
    }
  });

  it('makes the fleet an ingest-only key and revokes the one from the previous start', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    try {
      await store.migrate();
      const p = await store.ensureProject('default');
      const first = await createDemoKey(store, p.id);
      const second = await createDemoKey(store, p.id);
      expect(await store.verifyApiKey(first)).toBeNull();
      expect((await store.verifyApiKey(second))?.scopes).toEqual(['ingest']);
      expect((await store.listApiKeys(p.id)).filter((k) => k.name === DEMO_KEY_NAME && k.revoked_at === null)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe('the demo fleet process', () => {
  let vigil: VigilServer & { key: string };
  let endpoint: string;
  beforeAll(async () => {
    vigil = await startTestServer({ alerting: { start: false } });
    endpoint = await vigil.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => vigil.close());

  it('runs the five agents against a server over HTTP, and stops cleanly, its last runs flushed', async () => {
    const key = await createDemoKey(vigil.store, vigil.defaultProject.id);
    const lines: string[] = [];
    const demo = launchDemoFleet({ endpoint, apiKey: key, history: false, speed: 4, onLine: (l) => lines.push(l) });
    try {
      const seen = async () => {
        const res = await vigil.app.inject({ url: '/api/runs?limit=1000', headers: auth() });
        return new Set((res.json() as { runs: { agent_name: string }[] }).runs.map((r) => r.agent_name));
      };
      for (let i = 0; i < 120 && (await seen()).size < 5; i++) await new Promise((r) => setTimeout(r, 250));
      expect([...(await seen())].sort()).toEqual(['billing_agent', 'code_reviewer', 'customer_support_bot', 'research_assistant', 'travel_planner']);
      expect(lines.some((l) => l.includes('fleet started'))).toBe(true);
    } finally {
      await demo.stop();
    }
    expect(await demo.exited).toBe(0);
  }, 60_000);
});
