// vigil.yaml's alerting and notifications sections: DESIGN's defaults, every field overridable,
// and every bad value a ConfigError naming the file, the line and the field, before anything starts.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { defaultAlertingConfig } from '../../src/alerting/alerting-config.js';
import { createVigilServer } from '../../src/app/server.js';
import { parseConfig } from '../../src/config/vigil-config.js';
import { readYamlSource } from '../../src/config/yaml-source.js';
import { alertingFromYaml } from './helpers.js';

function configError(yaml: string): ConfigError {
  try {
    alertingFromYaml(yaml);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('alerting config', () => {
  it('defaults to DESIGN.md\'s timings and rule thresholds', () => {
    const c = defaultAlertingConfig();
    expect(c).toMatchObject({ evaluationIntervalMs: 15_000, groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 });
    expect(c.rules.SuccessRateDrop).toMatchObject({ windowMs: 900_000, threshold: 0.95, minRuns: 20, forMs: 0, severity: 'critical', enabled: true });
    expect(c.rules.LatencyP95Spike).toMatchObject({ windowMs: 900_000, baselineMs: 86_400_000, ratio: 1.5, minRuns: 20 });
    expect(c.rules.ToolTimeoutChain).toMatchObject({ consecutive: 3, windowMs: 600_000 });
    expect(c.rules.TokenBudgetOverrun).toMatchObject({ ratio: 10, baselineMs: 86_400_000, minBaselineRuns: 20 });
    expect(c.rules.IterationLimitHit).toMatchObject({ windowMs: 900_000, minCount: 1 });
    expect(c.rules.AgentLooping).toMatchObject({ repeats: 3 });
    expect(c.anomaly.enabled).toBe(true);
  });

  it('reads DESIGN.md\'s example file', () => {
    const { alerting } = alertingFromYaml(`
alerting:
  evaluation_interval: 15s
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  rules:
    SuccessRateDrop: { window: 15m, threshold: 0.95, min_runs: 20, for: 0s, severity: critical }
    LatencyP95Spike: { window: 15m, baseline: 24h, ratio: 1.5, min_runs: 20 }
    ToolTimeoutChain: { consecutive: 3, window: 10m }
    TokenBudgetOverrun: { ratio: 10, baseline: 24h, min_baseline_runs: 20 }
    IterationLimitHit: { window: 15m, min_count: 1 }
    AgentLooping: { repeats: 3, enabled: false }
  custom:
    - { name: ExpensiveAgent, metric: cost_usd, op: ">", threshold: 5, window: 1h, agent_regex: "support_.*", labels: { team: billing } }
  anomaly:
    enabled: true
    sensitivity: low
    exclude_agents: [batch_bot]
    agents: { chat_bot: { exclude_metrics: [volume] } }
    fleet: { min_agents: 5, min_share: 0.3, min_duration: 4m }
    min_duration: { volume: 10m, success_rate: 2m }
notifications:
  - { type: webhook, url: http://127.0.0.1:9093/hook, send_resolved: true }
  - { type: slack, url: https://hooks.slack.example/T000/B000/XXX }
`);
    expect(alerting.rules.AgentLooping.enabled).toBe(false);
    expect(alerting.custom[0]).toMatchObject({ name: 'ExpensiveAgent', metric: 'cost_usd', op: '>', threshold: 5, windowMs: 3_600_000, labels: { team: 'billing' } });
    expect(alerting.custom[0]!.agentRegex!.test('support_bot')).toBe(true);
    expect(alerting.anomaly).toMatchObject({ sensitivity: 'low', excludeAgents: ['batch_bot'], agentExcludeMetrics: { chat_bot: ['volume'] } });
    expect(alerting.anomaly.fleet).toEqual({ minAgents: 5, minShare: 0.3, minDurationMinutes: 4, windowMinutes: 5 });
    expect(alerting.anomaly.minDurationMs).toEqual({ volume: 600_000, success_rate: 120_000 });
    expect(alerting.notifications.map((n) => [n.name, n.type, n.sendResolved])).toEqual([['webhook-0', 'webhook', true], ['slack-1', 'slack', true]]);
    // Without project: a channel belongs to the default project only.
    expect(alerting.notifications.map((n) => n.project)).toEqual(['default', 'default']);
  });

  it('reads an Alertmanager HA set, a resend delay and per-project channels', () => {
    const { alerting } = alertingFromYaml(`
notifications:
  - { type: alertmanager, name: am, project: team-a, urls: [http://am-1:9093, "http://am-2:9093/prefix/"], resend_delay: 30s }
  - { type: alertmanager, url: http://am:9093, project: "*" }
`);
    expect(alerting.notifications[0]).toMatchObject({ name: 'am', type: 'alertmanager', project: 'team-a', urls: ['http://am-1:9093', 'http://am-2:9093/prefix/'], resendDelayMs: 30_000 });
    expect(alerting.notifications[1]).toMatchObject({ name: 'alertmanager-1', project: '*', urls: ['http://am:9093'], resendDelayMs: 60_000 });
  });

  const bad: [string, string, string, number][] = [
    ['an unknown rule', 'alerting:\n  rules:\n    SucessRateDrop: { window: 15m }\n', 'alerting.rules.SucessRateDrop', 3],
    ['a bad duration', 'alerting:\n  rules:\n    SuccessRateDrop:\n      window: 15 minutes\n', 'alerting.rules.SuccessRateDrop.window', 4],
    ['a threshold out of range', 'alerting:\n  rules:\n    SuccessRateDrop: { threshold: 95 }\n', 'alerting.rules.SuccessRateDrop.threshold', 3],
    ['a ratio that cannot spike', 'alerting:\n  rules:\n    LatencyP95Spike: { ratio: 0.5 }\n', 'alerting.rules.LatencyP95Spike.ratio', 3],
    ['an evaluation interval under 1s', 'alerting:\n  evaluation_interval: 100ms\n', 'alerting.evaluation_interval', 2],
    ['a bad URL', 'notifications:\n  - type: webhook\n    url: not a url\n', 'notifications[0].url', 3],
    ['a non-http URL', 'notifications:\n  - { type: slack, url: "ftp://x/y" }\n', 'notifications[0].url', 2],
    ['an unknown channel type', 'notifications:\n  - { type: email, url: "http://x" }\n', 'notifications[0].type', 2],
    ['an unknown channel field', 'notifications:\n  - type: webhook\n    url: http://x\n    retries: 3\n', 'notifications[0].retries', 4],
    ['several URLs on a webhook channel', 'notifications:\n  - { type: webhook, urls: ["http://a", "http://b"] }\n', 'notifications[0].urls', 2],
    ['a bad URL in an Alertmanager HA set', 'notifications:\n  - type: alertmanager\n    urls:\n      - http://am-1:9093\n      - am-2\n', 'notifications[0].urls[1]', 5],
    ['an Alertmanager listed twice', 'notifications:\n  - { type: alertmanager, urls: ["http://am:9093", "http://am:9093"] }\n', 'notifications[0].urls[1]', 2],
    ['url and urls both', 'notifications:\n  - { type: alertmanager, url: "http://a", urls: ["http://b"] }\n', 'notifications[0].urls', 2],
    ['a resend delay not shorter than resolve_timeout', 'notifications:\n  - { type: alertmanager, url: "http://am:9093", resend_delay: 5m }\n', 'notifications[0].resend_delay', 2],
    ['a resend delay on a webhook', 'notifications:\n  - { type: webhook, url: "http://x", resend_delay: 1m }\n', 'notifications[0].resend_delay', 2],
    ['send_resolved on an Alertmanager channel', 'notifications:\n  - { type: alertmanager, url: "http://am:9093", send_resolved: false }\n', 'notifications[0].send_resolved', 2],
    ['an empty project', 'notifications:\n  - { type: webhook, url: "http://x", project: "" }\n', 'notifications[0].project', 2],
    ['a custom rule without metric', 'alerting:\n  custom:\n    - { name: X, op: ">", threshold: 1 }\n', 'alerting.custom[0].metric', 3],
    ['a custom rule named like a built-in', 'alerting:\n  custom:\n    - { name: SuccessRateDrop, metric: runs, op: ">", threshold: 1 }\n', 'alerting.custom[0].name', 3],
    ['a custom rate threshold above 1', 'alerting:\n  custom:\n    - { name: X, metric: success_rate, op: "<", threshold: 90 }\n', 'alerting.custom[0].threshold', 3],
    ['an unknown anomaly metric', 'alerting:\n  anomaly:\n    metrics: [volume, vibes]\n', 'alerting.anomaly.metrics', 3],
    ['a fleet share above 1', 'alerting:\n  anomaly:\n    fleet:\n      min_share: 20\n', 'alerting.anomaly.fleet.min_share', 4],
    ['a fleet of one agent', 'alerting:\n  anomaly:\n    fleet: { min_agents: 1 }\n', 'alerting.anomaly.fleet.min_agents', 3],
    ['a minimum duration on an unknown metric', 'alerting:\n  anomaly:\n    min_duration:\n      vibes: 3m\n', 'alerting.anomaly.min_duration.vibes', 4],
    ['a minimum duration of seconds', 'alerting:\n  anomaly:\n    min_duration:\n      volume: 90s\n', 'alerting.anomaly.min_duration.volume', 4],
  ];
  for (const [what, yaml, field, line] of bad) {
    it(`stops on ${what}, naming file, line and field`, () => {
      const e = configError(yaml);
      expect(e.file).toBe('vigil.yaml');
      expect(e.field).toBe(field);
      expect(e.line).toBe(line);
      expect(e.message).toMatch(new RegExp(`^vigil\\.yaml:${line}: `));
    });
  }

  it('a server given a bad alerting section never starts', async () => {
    const config = parseConfig(readYamlSource('vigil.yaml', 'alerting:\n  repeat_interval: often\n'));
    await expect(createVigilServer({ db: ':memory:', config, logger: false })).rejects.toMatchObject({ name: 'ConfigError', field: 'alerting.repeat_interval', line: 2 });
  });
});
