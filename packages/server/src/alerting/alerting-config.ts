// The `alerting` and `notifications` sections of vigil.yaml (vigil-config.ts delegates them here).
// Every field has a default; every bad value stops startup with the file, line and field.
import { ANOMALY_METRICS, anomalyDefaults, type AnomalyConfig, type AnomalyMetric } from './rules/anomaly-detected.js';
import { COMPARISONS, customRuleDefaults, type Comparison, type CustomRuleConfig } from './rules/custom-threshold.js';
import { BUILTIN_RULE_NAMES, builtinDefaults, type BuiltinRuleConfigs, type BuiltinRuleName } from './rules/index.js';
import { CUSTOM_METRICS, RATE_METRICS, type CustomMetric } from './run-metrics.js';
import type { CommonRuleConfig } from './rule.js';
import type { ChannelConfig } from './notify/notifier.js';
import { DEFAULT_RESEND_DELAY_MS } from './notify/alertmanager.js';
import { DEFAULT_CHANNEL_PROJECT } from './notify/channel-project.js';
import { DEFAULT_MAX_QUEUE_SIZE } from './notify/channel-queue.js';
import { ConfigError } from '../config/config-error.js';
import { parseDuration } from '@vigil/protocol';
import { isPlainObject, type VigilConfig } from '../config/vigil-config.js';
import type { YamlSource } from '../config/yaml-source.js';

export interface AlertingConfig {
  /** How often rules run, ms. Default 15 s; at least 1 s. */
  evaluationIntervalMs: number;
  /** A new group's first notification waits this long for more alerts, ms. Default 30 s. */
  groupWaitMs: number;
  /** Between notifications about a group that changed, ms. Default 5 min. */
  groupIntervalMs: number;
  /** An unchanged firing group is notified again after this long, ms. Default 4 h. */
  repeatIntervalMs: number;
  /** How people reach this Vigil; links in notifications start with it. Default http://127.0.0.1:4318. */
  externalUrl: string;
  rules: BuiltinRuleConfigs;
  custom: CustomRuleConfig[];
  anomaly: AnomalyConfig;
  notifications: ChannelConfig[];
}

export const DEFAULT_EXTERNAL_URL = 'http://127.0.0.1:4318';
const MIN_EVALUATION_INTERVAL_MS = 1_000;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function defaultAlertingConfig(): AlertingConfig {
  return {
    evaluationIntervalMs: 15_000, groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3_600_000,
    externalUrl: DEFAULT_EXTERNAL_URL, rules: builtinDefaults(), custom: [], anomaly: anomalyDefaults(), notifications: [],
  };
}

/** Reads fields under one path, throwing ConfigErrors that name them. */
class Fields {
  constructor(readonly src: YamlSource, readonly path: (string | number)[], readonly obj: Record<string, unknown>) {}

  fail(key: string | number | null, problem: string): never {
    const path = key === null ? this.path : [...this.path, key];
    const field = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
    throw new ConfigError(this.src.file, field, problem, this.src.lineOf(path));
  }

  has(key: string | number): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  duration(key: string, min: number, max = Infinity): number | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    const ms = typeof v === 'string' ? parseDuration(v) : v === 0 ? 0 : undefined;
    if (ms === undefined) this.fail(key, `must be a duration such as 30s, 5m or 4h (got ${JSON.stringify(v)})`);
    if (ms < min || ms > max) this.fail(key, `must be ${max === Infinity ? `at least ${min} ms` : `between ${min} ms and ${max} ms`}`);
    return ms;
  }

  number(key: string, check: (n: number) => boolean, range: string): number | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) this.fail(key, `must be ${range} (got ${JSON.stringify(v)})`);
    return v;
  }

  int(key: string, min: number): number | undefined {
    return this.number(key, (n) => Number.isInteger(n) && n >= min, `a whole number ≥ ${min}`);
  }

  bool(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    if (typeof this.obj[key] !== 'boolean') this.fail(key, 'must be true or false');
    return this.obj[key] as boolean;
  }

  string(key: string | number, pattern?: RegExp, what = 'a non-empty string'): string | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    if (typeof v !== 'string' || v === '' || (pattern && !pattern.test(v))) this.fail(key, `must be ${what}`);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    if (typeof v !== 'string' || !allowed.includes(v as T)) this.fail(key, `must be one of ${allowed.join(', ')}`);
    return v as T;
  }

  url(key: string | number): string | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return this.fail(key, `must be an http or https URL (got ${JSON.stringify(v)})`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') this.fail(key, `must be an http or https URL (got ${JSON.stringify(v)})`);
    return v;
  }

  list<T extends string>(key: string, allowed?: readonly T[]): T[] | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(key, 'must be a list of names');
    if (allowed) for (const x of v as string[]) if (!allowed.includes(x as T)) this.fail(key, `'${x}' is not one of ${allowed.join(', ')}`);
    return v as T[];
  }

  stringMap(key: string, namePattern?: RegExp): Record<string, string> | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    if (!isPlainObject(v)) this.fail(key, 'must be a mapping of names to strings');
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') new Fields(this.src, [...this.path, key], v).fail(k, 'must be a string');
      if (namePattern && !namePattern.test(k)) new Fields(this.src, [...this.path, key], v).fail(k, 'is not a valid label name');
    }
    return v as Record<string, string>;
  }

  child(key: string | number, value: unknown, known: readonly string[]): Fields {
    const path = [...this.path, key];
    if (!isPlainObject(value)) this.fail(key, 'must be a mapping');
    const f = new Fields(this.src, path, value);
    for (const k of Object.keys(value)) if (!known.includes(k)) f.fail(k, `is not a known field (known: ${known.join(', ')})`);
    return f;
  }
}

const COMMON_KEYS = ['enabled', 'for', 'keep_firing_for', 'severity'];

function common(f: Fields, into: CommonRuleConfig): void {
  into.enabled = f.bool('enabled') ?? into.enabled;
  into.forMs = f.duration('for', 0) ?? into.forMs;
  into.keepFiringForMs = f.duration('keep_firing_for', 0) ?? into.keepFiringForMs;
  into.severity = f.string('severity', NAME, 'a label value of letters, digits and _') ?? into.severity;
}

const RULE_KEYS: Record<BuiltinRuleName, string[]> = {
  IterationLimitHit: ['window', 'min_count'],
  ToolTimeoutChain: ['consecutive', 'window'],
  TokenBudgetOverrun: ['ratio', 'baseline', 'min_baseline_runs', 'window'],
  LatencyP95Spike: ['window', 'baseline', 'ratio', 'min_runs', 'min_baseline_runs'],
  SuccessRateDrop: ['window', 'threshold', 'min_runs'],
  AgentLooping: ['repeats', 'window'],
};
const DAY_MS = 86_400_000;
const above1 = (n: number) => n > 1;

function builtin(f: Fields, name: BuiltinRuleName, rules: BuiltinRuleConfigs): void {
  switch (name) {
    case 'IterationLimitHit': {
      const r = rules.IterationLimitHit;
      common(f, r);
      r.windowMs = f.duration('window', 1_000, DAY_MS) ?? r.windowMs;
      r.minCount = f.int('min_count', 1) ?? r.minCount;
      return;
    }
    case 'ToolTimeoutChain': {
      const r = rules.ToolTimeoutChain;
      common(f, r);
      r.consecutive = f.int('consecutive', 2) ?? r.consecutive;
      r.windowMs = f.duration('window', 1_000, DAY_MS) ?? r.windowMs;
      return;
    }
    case 'TokenBudgetOverrun': {
      const r = rules.TokenBudgetOverrun;
      common(f, r);
      r.ratio = f.number('ratio', above1, 'a number above 1') ?? r.ratio;
      r.baselineMs = f.duration('baseline', 60_000, 30 * DAY_MS) ?? r.baselineMs;
      r.minBaselineRuns = f.int('min_baseline_runs', 1) ?? r.minBaselineRuns;
      r.windowMs = f.duration('window', 1_000, DAY_MS) ?? r.windowMs;
      return;
    }
    case 'LatencyP95Spike': {
      const r = rules.LatencyP95Spike;
      common(f, r);
      r.windowMs = f.duration('window', 1_000, DAY_MS) ?? r.windowMs;
      r.baselineMs = f.duration('baseline', 60_000, 30 * DAY_MS) ?? r.baselineMs;
      r.ratio = f.number('ratio', above1, 'a number above 1') ?? r.ratio;
      r.minRuns = f.int('min_runs', 1) ?? r.minRuns;
      r.minBaselineRuns = f.int('min_baseline_runs', 1) ?? r.minBaselineRuns;
      return;
    }
    case 'SuccessRateDrop': {
      const r = rules.SuccessRateDrop;
      common(f, r);
      r.windowMs = f.duration('window', 1_000, DAY_MS) ?? r.windowMs;
      r.threshold = f.number('threshold', (n) => n > 0 && n <= 1, 'a success rate above 0 and at most 1 (0.95 = 95%)') ?? r.threshold;
      r.minRuns = f.int('min_runs', 1) ?? r.minRuns;
      return;
    }
    case 'AgentLooping': {
      const r = rules.AgentLooping;
      common(f, r);
      r.repeats = f.int('repeats', 2) ?? r.repeats;
      r.windowMs = f.duration('window', 1_000, DAY_MS) ?? r.windowMs;
      return;
    }
  }
}

const CUSTOM_KEYS = [...COMMON_KEYS, 'name', 'metric', 'op', 'threshold', 'window', 'min_runs', 'agent', 'agent_regex', 'labels', 'summary'];
const RESERVED_LABELS = ['alertname', 'agent', 'severity'];

function custom(f: Fields, taken: Set<string>): CustomRuleConfig {
  const name = f.string('name', NAME, 'a rule name of letters, digits and _ (it becomes the alertname)') ?? f.fail('name', 'is required');
  if (taken.has(name)) f.fail('name', `'${name}' is already used by ${(BUILTIN_RULE_NAMES as readonly string[]).includes(name) || name === 'AnomalyDetected' || name === 'FleetAnomaly' ? 'a built-in rule' : 'another custom rule'}`);
  taken.add(name);
  const metric = f.oneOf<CustomMetric>('metric', CUSTOM_METRICS) ?? f.fail('metric', `is required (one of ${CUSTOM_METRICS.join(', ')})`);
  const op = f.oneOf<Comparison>('op', COMPARISONS) ?? f.fail('op', `is required (one of ${COMPARISONS.join(' ')})`);
  const isRate = RATE_METRICS.includes(metric);
  const threshold = f.number('threshold', (n) => (isRate ? n >= 0 && n <= 1 : n >= 0), isRate ? 'a rate from 0 to 1' : 'a number ≥ 0')
    ?? f.fail('threshold', 'is required');
  const r: CustomRuleConfig = { ...customRuleDefaults(), name, metric, op, threshold };
  common(f, r);
  r.windowMs = f.duration('window', 1_000, DAY_MS) ?? r.windowMs;
  r.minRuns = f.int('min_runs', 1) ?? r.minRuns;
  r.agent = f.string('agent') ?? null;
  const pattern = f.string('agent_regex');
  if (pattern !== undefined) {
    try {
      r.agentRegex = new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      f.fail('agent_regex', `is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  const labels = f.stringMap('labels', NAME) ?? {};
  for (const k of Object.keys(labels)) if (RESERVED_LABELS.includes(k)) new Fields(f.src, [...f.path, 'labels'], labels).fail(k, 'is set by Vigil and cannot be overridden');
  r.labels = labels;
  r.summary = f.string('summary') ?? null;
  return r;
}

function anomaly(f: Fields, into: AnomalyConfig): void {
  common(f, into);
  into.sensitivity = f.oneOf('sensitivity', ['low', 'medium', 'high'] as const) ?? into.sensitivity;
  into.metrics = f.list<AnomalyMetric>('metrics', ANOMALY_METRICS) ?? into.metrics;
  into.excludeAgents = f.list('exclude_agents') ?? into.excludeAgents;
  if (f.has('agents')) {
    const agents = f.obj.agents;
    if (!isPlainObject(agents)) f.fail('agents', 'must be a mapping of agent names to { exclude_metrics: [...] } or { enabled: false }');
    const af = new Fields(f.src, [...f.path, 'agents'], agents);
    for (const [agent, value] of Object.entries(agents)) {
      const a = af.child(agent, value, ['enabled', 'exclude_metrics']);
      if (a.bool('enabled') === false) into.excludeAgents.push(agent);
      into.agentExcludeMetrics[agent] = a.list<AnomalyMetric>('exclude_metrics', ANOMALY_METRICS) ?? [];
    }
  }
  if (f.has('fleet')) {
    const fl = f.child('fleet', f.obj.fleet, ['min_agents', 'min_share', 'min_duration', 'window']);
    into.fleet = {
      minAgents: fl.int('min_agents', 2) ?? into.fleet.minAgents,
      minShare: fl.number('min_share', (n) => n > 0 && n <= 1, 'a share above 0 and at most 1, such as 0.2') ?? into.fleet.minShare,
      minDurationMinutes: wholeMinutes(fl, 'min_duration') ?? into.fleet.minDurationMinutes,
      windowMinutes: wholeMinutes(fl, 'window') ?? into.fleet.windowMinutes,
    };
  }
  if (f.has('min_duration')) {
    const md = f.child('min_duration', f.obj.min_duration, ANOMALY_METRICS);
    for (const m of ANOMALY_METRICS) {
      const ms = wholeMinutes(md, m);
      if (ms !== undefined) into.minDurationMs[m] = ms * 60_000;
    }
  }
}

/** A duration of whole minutes (the detector judges minutes), 1m to 1h; returned in minutes. */
function wholeMinutes(f: Fields, key: string): number | undefined {
  const ms = f.duration(key, 60_000, 3_600_000);
  if (ms === undefined) return undefined;
  if (ms % 60_000 !== 0) f.fail(key, 'must be a whole number of minutes, such as 3m');
  return ms / 60_000;
}

const CHANNEL_KEYS = ['type', 'name', 'project', 'url', 'urls', 'send_resolved', 'timeout', 'max_alerts', 'max_queue_size', 'headers', 'resend_delay'];
const CHANNEL_TYPES = ['webhook', 'slack', 'alertmanager'] as const;
/** Alertmanager's default resolve_timeout: a resend delay must stay below it. */
const ALERTMANAGER_RESOLVE_TIMEOUT_MS = 5 * 60_000;

function channel(f: Fields, index: number, names: Set<string>): ChannelConfig {
  const type = f.oneOf('type', CHANNEL_TYPES) ?? f.fail('type', `is required (${CHANNEL_TYPES.join(', ')})`);
  const urls = channelUrls(f, type);
  const name = f.string('name', /^[A-Za-z0-9_.-]+$/, 'a name of letters, digits, _, . and -') ?? `${type}-${index}`;
  if (names.has(name)) f.fail('name', `'${name}' is used by another channel`);
  names.add(name);
  if (type !== 'webhook' && f.has('max_alerts')) f.fail('max_alerts', 'applies to webhook channels only');
  if (type === 'alertmanager' && f.has('send_resolved')) f.fail('send_resolved', "does not apply to alertmanager channels: Alertmanager always gets endsAt, and its receivers' send_resolved decides");
  if (type !== 'alertmanager' && f.has('resend_delay')) f.fail('resend_delay', 'applies to alertmanager channels only (webhook and Slack repeat after alerting.repeat_interval)');
  const resendDelayMs = f.duration('resend_delay', 1_000) ?? DEFAULT_RESEND_DELAY_MS;
  if (resendDelayMs >= ALERTMANAGER_RESOLVE_TIMEOUT_MS) f.fail('resend_delay', "must be shorter than Alertmanager's resolve_timeout (5m by default)");
  return {
    name,
    type,
    url: urls[0]!,
    urls,
    project: f.string('project') ?? DEFAULT_CHANNEL_PROJECT,
    resendDelayMs,
    sendResolved: f.bool('send_resolved') ?? true,
    timeoutMs: f.duration('timeout', 100, 300_000) ?? 10_000,
    maxAlerts: f.int('max_alerts', 0) ?? 0,
    maxQueueSize: f.int('max_queue_size', 1) ?? DEFAULT_MAX_QUEUE_SIZE,
    headers: f.stringMap('headers') ?? {},
  };
}

/** `url`, or for an Alertmanager HA set `urls: [...]` (each gets every alert). */
function channelUrls(f: Fields, type: (typeof CHANNEL_TYPES)[number]): string[] {
  if (!f.has('urls')) return [f.url('url') ?? f.fail('url', type === 'alertmanager' ? 'is required (or urls: [...] for several Alertmanagers)' : 'is required')];
  if (type !== 'alertmanager') f.fail('urls', 'applies to alertmanager channels only (use url)');
  if (f.has('url')) f.fail('urls', 'give url or urls, not both');
  const list = f.obj.urls;
  if (!Array.isArray(list) || list.length === 0) f.fail('urls', 'must be a non-empty list of http or https URLs');
  const items = new Fields(f.src, [...f.path, 'urls'], list as unknown as Record<string, unknown>);
  const urls = list.map((_, i) => items.url(i) ?? items.fail(i, 'must be an http or https URL'));
  const dup = urls.findIndex((u, i) => urls.indexOf(u) !== i);
  if (dup >= 0) items.fail(dup, `'${urls[dup]}' is listed twice`);
  return urls;
}

/** Parses the delegated sections of a loaded vigil.yaml; defaults for what is absent. */
export function parseAlertingConfig(config: VigilConfig): AlertingConfig {
  const out = defaultAlertingConfig();
  const src: YamlSource = config.source ?? { file: '(defaults)', value: null, lineOf: () => undefined };
  const root = new Fields(src, [], { alerting: config.sections.alerting, notifications: config.sections.notifications });

  if (root.has('alerting')) {
    const a = root.child('alerting', root.obj.alerting, ['evaluation_interval', 'group_wait', 'group_interval', 'repeat_interval', 'external_url', 'rules', 'custom', 'anomaly']);
    out.evaluationIntervalMs = a.duration('evaluation_interval', MIN_EVALUATION_INTERVAL_MS, 3_600_000) ?? out.evaluationIntervalMs;
    out.groupWaitMs = a.duration('group_wait', 0, DAY_MS) ?? out.groupWaitMs;
    out.groupIntervalMs = a.duration('group_interval', 1_000, DAY_MS) ?? out.groupIntervalMs;
    out.repeatIntervalMs = a.duration('repeat_interval', 1_000, 30 * DAY_MS) ?? out.repeatIntervalMs;
    out.externalUrl = (a.url('external_url') ?? out.externalUrl).replace(/\/+$/, '');
    if (a.has('rules')) {
      const rules = a.child('rules', a.obj.rules, BUILTIN_RULE_NAMES);
      for (const name of BUILTIN_RULE_NAMES) {
        if (!rules.has(name)) continue;
        builtin(rules.child(name, rules.obj[name], [...COMMON_KEYS, ...RULE_KEYS[name]]), name, out.rules);
      }
    }
    if (a.has('custom')) {
      if (!Array.isArray(a.obj.custom)) a.fail('custom', 'must be a list of rules');
      const taken = new Set<string>([...BUILTIN_RULE_NAMES, 'AnomalyDetected', 'FleetAnomaly']);
      const list = new Fields(src, ['alerting', 'custom'], a.obj.custom as unknown as Record<string, unknown>);
      (a.obj.custom as unknown[]).forEach((item, i) => out.custom.push(custom(list.child(i, item, CUSTOM_KEYS), taken)));
    }
    if (a.has('anomaly')) {
      anomaly(a.child('anomaly', a.obj.anomaly, [...COMMON_KEYS, 'sensitivity', 'metrics', 'exclude_agents', 'agents', 'fleet', 'min_duration']), out.anomaly);
    }
  }
  if (root.has('notifications')) {
    if (!Array.isArray(root.obj.notifications)) root.fail('notifications', 'must be a list of channels ({ type: webhook|slack|alertmanager, url: … })');
    const list = new Fields(src, ['notifications'], root.obj.notifications as unknown as Record<string, unknown>);
    const names = new Set<string>();
    (root.obj.notifications as unknown[]).forEach((item, i) => out.notifications.push(channel(list.child(i, item, CHANNEL_KEYS), i, names)));
  }
  return out;
}
