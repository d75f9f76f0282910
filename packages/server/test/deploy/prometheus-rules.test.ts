// deploy/prometheus: the shipped rules pass `promtool check rules` and their unit tests
// (`promtool test rules`), and every PromQL expression of the Grafana dashboard is evaluated by a
// real Prometheus that scrapes a running Vigil, with the shipped rules loaded: each query
// succeeds, and each returns series, so the dashboard's series names are Vigil's.
// Needs Debian's `prometheus` package (promtool and /usr/bin/prometheus): skipped, saying so,
// without it, and failing in CI, where .ci/run installs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/vigil-config.js';
import { readYamlSource } from '../../src/config/yaml-source.js';
import { createVigilServer, type VigilServer } from '../../src/app/server.js';
import { freePort, requireBinary, startChild, waitFor, type Child } from '../helpers/external-binary.js';
import { makeRun } from '../helpers/test-server.js';

const DEPLOY = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../deploy/prometheus');
const RULES = join(DEPLOY, 'vigil-rules.yml');
const PROMETHEUS_BIN = '/usr/bin/prometheus';
const hasPromtool = requireBinary('promtool', 'prometheus', 'the checks of deploy/prometheus/vigil-rules.yml');
const hasPrometheus = requireBinary(PROMETHEUS_BIN, 'prometheus', 'the dashboard queries against a real Prometheus');

describe.skipIf(!hasPromtool)('deploy/prometheus rules', () => {
  it('pass promtool check rules', () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(check.status).toBe(0);
  });

  it('pass their unit tests (promtool test rules)', () => {
    const test = spawnSync('promtool', ['test', 'rules', 'tests/vigil-rules.test.yml'], { cwd: DEPLOY, encoding: 'utf8' });
    expect(test.stdout + test.stderr).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });
});

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { name: string; type: string; query?: { query: string } }[] };
}

/** Grafana's variables as the dashboard's "All" sends them, and $__rate_interval for a 1 s scrape. */
const expand = (expr: string) => expr.replace(/\$__rate_interval/g, '1m').replace(/\$(job|agent)\b/g, '.*');

describe.skipIf(!hasPrometheus)('the Grafana dashboard against a real Prometheus scraping Vigil', () => {
  const KEY = 'vgl_prometheus_scrape_key';
  let vigil: VigilServer;
  let prometheus: Child;
  let promUrl: string;
  let dir: string;

  const query = async (expr: string) => {
    const res = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  };
  const ingest = async (runs: Record<string, unknown>[]) => {
    const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', headers: { authorization: `Bearer ${KEY}` }, payload: { runs } });
    expect(res.statusCode).toBe(200);
  };
  const traffic = () => [
    makeRun({ agent_name: 'support_bot' }),
    makeRun({ agent_name: 'support_bot', completion_status: 'error', error: { type: 'ToolError', message: 'x' } }),
    makeRun({ agent_name: 'support_bot', tool_calls: [{ name: 'search_kb', status: 'timeout', duration_ms: 30_000 }] }),
    makeRun({ agent_name: 'research_bot', model: 'my-finetune-v1', duration_ms: 4_000 }),
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-prometheus-'));
    vigil = await createVigilServer({
      db: ':memory:', apiKeys: [KEY], logger: false, alerting: { start: false },
      // One channel, so the vigil_notifications_* series of the dashboard exist.
      config: parseConfig(readYamlSource('vigil.yaml', 'notifications: [{ type: webhook, name: oncall, url: "http://127.0.0.1:9/hook" }]\n')),
    });
    await vigil.app.listen({ port: 0, host: '127.0.0.1' });
    const vigilPort = (vigil.app.server.address() as AddressInfo).port;
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'prometheus.yml'), `
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [${JSON.stringify(RULES)}]
scrape_configs:
  - job_name: vigil
    authorization: { credentials: ${JSON.stringify(KEY)} }
    static_configs: [{ targets: ["127.0.0.1:${vigilPort}"] }]
`);
    prometheus = startChild(PROMETHEUS_BIN, [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ]);
    await waitFor('Prometheus to be ready', async () => {
      if (prometheus.process.exitCode !== null) throw new Error(`prometheus exited: ${prometheus.output()}`);
      return (await fetch(`${promUrl}/-/ready`)).ok;
    }, 20_000).catch((e: unknown) => { throw new Error(`${(e as Error).message}\n${prometheus.output()}`, { cause: e }); });
  }, 40_000);

  afterAll(async () => {
    await prometheus?.stop();
    await vigil?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('evaluates every panel query and variable of the dashboard, each returning series', async () => {
    // Two bursts of traffic with scrapes between them, so rates and increases have something to show.
    await ingest(traffic());
    await waitFor('a scrape of the first runs', async () => ((await query('agent_runs_total')).data?.result.length ?? 0) > 0);
    await new Promise((r) => setTimeout(r, 2_000));
    await ingest(traffic());

    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: expand(t.expr) })));
    // A variable's label_values(selector, label) is the selector's series.
    for (const v of dashboard.templating.list) {
      const m = v.query && /^label_values\((.+),\s*(\w+)\)$/.exec(v.query.query);
      if (m) exprs.push({ panel: `variable ${v.name}`, expr: expand(m[1]!) });
    }
    expect(exprs.length).toBeGreaterThanOrEqual(14);

    // Queries over the day before (offset) have no history in a test minutes old: they must
    // evaluate, but may be empty. Every other one must return series within the time allowed.
    const needsHistory = (expr: string) => /offset/.test(expr);
    const empty = new Set<string>();
    await waitFor('every dashboard query to return series', async () => {
      empty.clear();
      for (const { panel, expr } of exprs) {
        const answer = await query(expr);
        if (answer.status !== 'success') throw new Error(`${panel}: ${expr}: ${answer.error}`);
        if ((answer.data?.result.length ?? 0) === 0 && !needsHistory(expr)) empty.add(`${panel}: ${expr}`);
      }
      return empty.size === 0;
    }, 30_000).catch((e: unknown) => { throw new Error(`${(e as Error).message}; still empty:\n${[...empty].join('\n')}`, { cause: e }); });

    // The shipped rules load and evaluate without error in Prometheus itself.
    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all.length).toBeGreaterThanOrEqual(14);
    expect(all.filter((r) => r.health !== 'ok')).toEqual([]);
  }, 60_000);
});
