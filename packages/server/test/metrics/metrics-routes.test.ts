// GET /metrics as Prometheus scrapes it: auth, the fleet and self series, escaping, and a pass
// through `promtool check metrics` (Debian's prometheus package; skipped, saying so, without it).
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/vigil-config.js';
import { GEN_AI_DURATION_BUCKETS_SECONDS } from '../../src/metrics/otel-buckets.js';
import { auth, makeRun, startTestServer } from '../helpers/test-server.js';

type Vigil = Awaited<ReturnType<typeof startTestServer>>;
let vigil: Vigil | null = null;
afterEach(async () => {
  await vigil?.close();
  vigil = null;
});

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = promtool.status === 0;
if (!hasPromtool) console.warn('SKIPPED: promtool is not installed (apt-get install prometheus); the promtool check of GET /metrics did not run');

async function scrape(v: Vigil, headers: Record<string, string> = auth()) {
  return v.app.inject({ method: 'GET', url: '/metrics', headers });
}

describe('GET /metrics', () => {
  it('needs a key with the read scope unless metrics are public', async () => {
    vigil = await startTestServer();
    expect((await scrape(vigil, {})).statusCode).toBe(401);
    const { key } = await vigil.store.createApiKey({ projectId: vigil.defaultProject.id, name: 'ingest only', scopes: ['ingest'] });
    const forbidden = await scrape(vigil, auth(key));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('FORBIDDEN');
    const ok = await scrape(vigil);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('is open without a key when metrics.public is true', async () => {
    const config = defaultConfig();
    config.metrics.public = true;
    vigil = await startTestServer({ config });
    const res = await scrape(vigil, {});
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('vigil_runs_accepted_total 0');
  });

  it('has the self counters at zero from the start and counts rejections by code', async () => {
    vigil = await startTestServer();
    const before = (await scrape(vigil)).body;
    expect(before).toContain('vigil_ingest_requests_rejected_total{code="VALIDATION_FAILED"} 0');
    expect(before).toContain('vigil_retention_deleted_total{kind="runs"} 0');
    await vigil.app.inject({ method: 'POST', url: '/v1/runs', headers: auth(), payload: { runs: [{ run_id: 'x' }] } });
    await vigil.app.inject({ method: 'POST', url: '/v1/runs', headers: auth(), payload: { runs: [makeRun(), makeRun()] } });
    const after = (await scrape(vigil)).body;
    expect(after).toContain('vigil_ingest_requests_rejected_total{code="VALIDATION_FAILED"} 1');
    expect(after).toContain('vigil_runs_accepted_total 2');
  });

  it('exposes runs, durations, tokens, tool calls and cost by agent', async () => {
    vigil = await startTestServer();
    await vigil.app.inject({
      method: 'POST', url: '/v1/runs', headers: auth(),
      payload: { runs: [makeRun({ duration_ms: 1_500 }), makeRun({ completion_status: 'gave_up', duration_ms: 90_000 }), makeRun({ model: 'house-model' })] },
    });
    const body = (await scrape(vigil)).body;
    expect(body).toContain('agent_runs_total{agent="support_bot",status="success"} 2');
    expect(body).toContain('agent_runs_total{agent="support_bot",status="gave_up"} 1');
    expect(body).toContain('agent_run_duration_seconds_bucket{le="2.56",agent="support_bot"} 2');
    expect(body).toContain('agent_run_duration_seconds_bucket{le="+Inf",agent="support_bot"} 3');
    const les = [...body.matchAll(/agent_run_duration_seconds_bucket\{le="([^"]+)"/g)].map((m) => m[1]);
    expect(les).toEqual([...GEN_AI_DURATION_BUCKETS_SECONDS.map(String), '+Inf']);
    expect(body).toContain('agent_tokens_total{agent="support_bot",type="input"} 2700');
    expect(body).toContain('agent_tool_calls_total{agent="support_bot",tool="create_ticket",status="success"} 3');
    // gpt-4o-mini: (800 uncached × 0.15 + 100 cached × 0.075 + 300 output × 0.6) / 1M, twice.
    expect(body).toContain('agent_cost_usd_total{agent="support_bot"} 0.000615');
    expect(body).toContain('agent_unpriced_runs_total{agent="support_bot",model="house-model"} 1');
  });

  it('shows only the scraping key\'s project', async () => {
    vigil = await startTestServer();
    const other = await vigil.store.ensureProject('other');
    const { key } = await vigil.store.createApiKey({ projectId: other.id, name: 'other', scopes: ['read', 'ingest'] });
    await vigil.app.inject({ method: 'POST', url: '/v1/runs', headers: auth(), payload: { runs: [makeRun()] } });
    expect((await scrape(vigil)).body).toContain('agent_runs_total{agent="support_bot"');
    expect((await scrape(vigil, auth(key))).body).not.toContain('agent_runs_total{');
  });

  it('lets other modules add per-project gauges computed at scrape time', async () => {
    vigil = await startTestServer();
    vigil.metrics.addProjectGauge({
      name: 'vigil_test_gauge', help: 'A test gauge.', labelNames: ['alertname', 'agent'],
      collect: (projectId) => [{ labels: { alertname: 'SuccessRateDrop', agent: `p${projectId}` }, value: 1 }],
    });
    expect((await scrape(vigil)).body).toContain(`vigil_test_gauge{alertname="SuccessRateDrop",agent="p${vigil.defaultProject.id}"} 1`);
    expect(() => vigil!.metrics.addProjectGauge({ name: 'vigil_test_gauge', help: 'again', labelNames: [], collect: () => [] })).toThrow(/already/);
  });

  it.skipIf(!hasPromtool)('passes promtool check metrics, with label values that need escaping', async () => {
    vigil = await startTestServer();
    await vigil.app.inject({
      method: 'POST', url: '/v1/runs', headers: auth(),
      payload: { runs: [makeRun({ agent_name: 'we"ird\\agent\nname', tool_calls: [{ name: 'tool "x"', status: 'timeout' }] }), makeRun()] },
    });
    vigil.metrics.addProjectGauge({ name: 'vigil_test_gauge', help: 'A gauge without samples.', labelNames: ['alertname'], collect: () => [] });
    const body = (await scrape(vigil)).body;
    expect(body).toContain('agent="we\\"ird\\\\agent\\nname"');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);
  });
});
