// The loop the threshold rules share: which agents a check sees, with which runs, and how a
// finding is labelled and annotated. Data only: a snapshot and a time.
import { describe, expect, it } from 'vitest';
import { createAlertData, type RunFact } from '../../src/alerting/alert-data.js';
import { perAgentRule, type AgentWindow } from '../../src/alerting/per-agent-rule.js';
import { commonDefaults, type RuleContext } from '../../src/alerting/rule.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const MINUTE = 60_000;
const config = { ...commonDefaults('critical'), windowMs: 15 * MINUTE };

const fact = (agent: string, ts: number, id: string): RunFact => ({
  run_id: id, agent_name: agent, ts, duration_ms: 1_000, tokens_used: 100, iterations: 1, cost_usd: null,
  completion_status: 'success', error_type: null, tool_calls: [],
});

function context(runs: RunFact[], agents: string[] = []): RuleContext {
  const data = createAlertData({ now: NOW, runs, agents: agents.map((agent_name) => ({ agent_name, expected_tokens: null, max_iterations: null })) });
  return { projectId: 1, data, runListUrl: (q) => `/runs?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]))}` };
}

describe('perAgentRule', () => {
  it('hands each agent only its runs inside the window, and skips agents with none', async () => {
    const seen: Record<string, string[]> = {};
    const rule = perAgentRule({ name: 'Probe', config }, (w: AgentWindow) => {
      seen[w.agent.agent_name] = w.runs.map((r) => r.run_id);
      return null;
    });
    const runs = [fact('a', NOW - 20 * MINUTE, 'old'), fact('a', NOW - 5 * MINUTE, 'a1'), fact('b', NOW - MINUTE, 'b1'), fact('c', NOW - 16 * MINUTE, 'c0')];
    expect(await rule.evaluate(context(runs, ['declared-only']))).toEqual([]);
    expect(seen).toEqual({ a: ['a1'], b: ['b1'] });
    expect(rule.needs).toEqual({ windowMs: 15 * MINUTE });
  });

  it('labels findings with alertname, agent, tool and severity over the extra labels, value text after summary and description', async () => {
    const rule = perAgentRule(
      { name: 'Probe', config, labels: { team: 'ops', alertname: 'Spoofed', severity: 'none' }, baselineMs: 3_600_000 },
      ({ observe, runsUrl }) => observe(0.5, { summary: 's', description: 'd', run_ids: 'a1', why: undefined, runs_url: runsUrl({ tool: 'search' }) }, 'search'),
    );
    const [found] = await rule.evaluate(context([fact('a', NOW - MINUTE, 'a1')]));
    expect(found!.labels).toEqual({ team: 'ops', alertname: 'Probe', agent: 'a', tool: 'search', severity: 'critical' });
    expect(found!.value).toBe(0.5);
    expect(Object.entries(found!.annotations)).toEqual([
      ['summary', 's'], ['description', 'd'], ['value', '0.5'], ['run_ids', 'a1'],
      ['runs_url', `/runs?agent_name=a&from=${NOW - 15 * MINUTE}&to=${NOW}&tool=search`],
    ]);
    expect(rule.needs).toEqual({ windowMs: 15 * MINUTE, baselines: [{ spanMs: 3_600_000, windowMs: 15 * MINUTE }] });
  });

  it('looks only at the agents `select` picks', async () => {
    const rule = perAgentRule({ name: 'Probe', config, select: (a) => a.agent_name !== 'b' }, ({ observe }) => observe(1, { summary: '', description: '' }));
    const found = await rule.evaluate(context([fact('a', NOW - MINUTE, 'a1'), fact('b', NOW - MINUTE, 'b1')]));
    expect(found.map((o) => o.labels.agent)).toEqual(['a']);
  });
});
