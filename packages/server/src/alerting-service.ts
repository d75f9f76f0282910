// Assembles alerting: rules from config, the evaluator, the notifier, silences and the lease.
// alerts/ and notify/ never import each other; they meet here, where the server is put together.
import { createAlertQuery } from './alerts/alert-query.js';
import { alertRoutes } from './alerts/alert-routes.js';
import { createEvaluator, type Evaluator, type EvaluatorLog } from './alerts/evaluator.js';
import type { Rule, RuleContext } from './alerts/rule.js';
import { anomalyDetected, type AnomalyRule } from './alerts/rules/anomaly-detected.js';
import { customThreshold } from './alerts/rules/custom-threshold.js';
import { builtinRules } from './alerts/rules/index.js';
import { createSilenceService, type SilenceService } from './alerts/silences.js';
import { parseAlertingConfig, type AlertingConfig } from './config/alerting-config.js';
import { loadConfigFile } from './config/vigil-config.js';
import type { Authenticator } from './http/auth.js';
import { requireScope } from './http/auth.js';
import { createNotifier, type Notifier } from './notify/notifier.js';
import type { RetryOptions } from './notify/retrying-transport.js';
import { createLeaseKeeper, type LeaseKeeper } from './store/lease.js';
import type { Store } from './store/store.js';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { SelfMetrics } from './metrics/self-metrics.js';

export const EVALUATOR_LEASE = 'alert-evaluator';
/** On shutdown, queued notifications get this long to go out before they are dropped (and counted). */
export const SHUTDOWN_DRAIN_MS = 5_000;

export interface AlertingServiceOptions {
  store: Store;
  config: AlertingConfig;
  now?: () => number;
  /** Overrides the store lease (tests, embedding). */
  isLeader?: () => boolean;
  log?: EvaluatorLog;
  /** Retry tuning for notification delivery (tests shorten the backoff). */
  retry?: RetryOptions;
}

export interface AlertingService {
  /** The configuration in effect (replaced by a successful reload). */
  readonly config: AlertingConfig;
  /** The rules in effect: name and severity label. */
  readonly rules: readonly { name: string; severity: string }[];
  /**
   * Reloads the rules from vigil.yaml (SIGHUP). A file that fails to parse changes nothing and
   * the error is returned; a good one replaces the rules, and alert state carries over by label
   * set. Channels, timings and anomaly settings are read at start only.
   */
  reloadRules(file: string): { ok: true } | { ok: false; error: Error };
  readonly evaluator: Evaluator;
  readonly notifier: Notifier;
  readonly silences: SilenceService;
  /** The read plugin with /api/alerts and /api/silences. */
  routes(auth: Authenticator): (app: FastifyInstance) => Promise<void>;
  /** Takes the lease and starts evaluating on aligned slots. */
  start(): void;
  /** Stops evaluating, stores detector state, drains notifications, releases the lease. Idempotent. */
  close(): Promise<void>;
}

export function runListUrlFor(externalUrl: string): RuleContext['runListUrl'] {
  return (q) => {
    const p = new URLSearchParams({ agent_name: q.agent_name, from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() });
    if (q.completion_status) p.set('completion_status', q.completion_status);
    if (q.tool) p.set('tool', q.tool);
    return `${externalUrl}/runs?${p.toString()}`;
  };
}

export function createAlertingService(options: AlertingServiceOptions): AlertingService {
  const { store, config } = options;
  const now = options.now ?? Date.now;
  const state = {
    get: (projectId: number, prefix: string) => store.getAlertingValues(projectId, prefix),
    put: (projectId: number, entries: [string, unknown][]) => store.putAlertingValues(projectId, entries),
  };
  let current = config;
  const thresholdRules = (c: AlertingConfig): Rule[] => [...builtinRules(c.rules), ...c.custom.filter((r) => r.enabled).map(customThreshold)];
  const rules: Rule[] = thresholdRules(config);
  let anomaly: AnomalyRule | null = null;
  if (config.anomaly.enabled) {
    anomaly = anomalyDetected(config.anomaly, {
      minuteRollups: (projectId, from, to) => store.agentRollups(projectId, { from, to, step_ms: 60_000 }),
      state,
    });
    rules.push(anomaly);
  }
  const silences = createSilenceService(store);
  const notifier = createNotifier({
    channels: config.notifications,
    timing: { groupWaitMs: config.groupWaitMs, groupIntervalMs: config.groupIntervalMs, repeatIntervalMs: config.repeatIntervalMs },
    state,
    externalUrl: config.externalUrl,
    retry: options.retry,
    log: options.log,
  });
  let lease: LeaseKeeper | null = null;
  const evaluator = createEvaluator({
    store,
    query: createAlertQuery(store),
    rules,
    evaluationIntervalMs: config.evaluationIntervalMs,
    isLeader: () => (options.isLeader ? options.isLeader() : lease ? lease.isLeader() : true),
    notify: (batch) => notifier.handle(batch),
    silences: (projectId, t) => silences.current(projectId, t),
    runListUrl: runListUrlFor(config.externalUrl),
    now,
    log: options.log,
  });
  let closing: Promise<void> | null = null;

  return {
    get config() {
      return current;
    },
    get rules() {
      return [
        ...(Object.keys(current.rules) as (keyof typeof current.rules)[]).filter((n) => current.rules[n].enabled).map((n) => ({ name: n, severity: current.rules[n].severity })),
        ...current.custom.filter((c) => c.enabled).map((c) => ({ name: c.name, severity: c.severity })),
        ...(anomaly ? [{ name: 'AnomalyDetected', severity: current.anomaly.severity }, { name: 'FleetAnomaly', severity: current.anomaly.severity }] : []),
      ];
    },
    reloadRules(file) {
      let next: AlertingConfig;
      try {
        next = parseAlertingConfig(loadConfigFile(file));
      } catch (error) {
        return { ok: false, error: error as Error };
      }
      evaluator.setRules([...thresholdRules(next), ...(anomaly ? [anomaly] : [])]);
      current = { ...next, notifications: current.notifications, anomaly: current.anomaly,
        evaluationIntervalMs: current.evaluationIntervalMs, groupWaitMs: current.groupWaitMs, groupIntervalMs: current.groupIntervalMs,
        repeatIntervalMs: current.repeatIntervalMs, externalUrl: current.externalUrl };
      return { ok: true };
    },
    evaluator,
    notifier,
    silences,
    routes(auth) {
      return (app) => alertRoutes(app, { store, silences, now, requireAdmin: requireScope(auth, 'admin') });
    },
    start() {
      if (!options.isLeader && !lease) {
        // The lease lasts one interval: a dead leader is replaced within about two.
        lease = createLeaseKeeper({ store, name: EVALUATOR_LEASE, ttlMs: Math.max(config.evaluationIntervalMs, 5_000) });
        lease.start();
      }
      evaluator.start();
    },
    close() {
      closing ??= (async () => {
        await evaluator.stop();
        if (anomaly) await anomaly.persist().catch((error: unknown) => options.log?.error({ err: error }, 'could not store anomaly detector state'));
        await Promise.race([notifier.idle(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_DRAIN_MS).unref())]);
        await notifier.close();
        await lease?.stop();
      })();
      return closing;
    },
  };
}

/** Vigil's own alerting series, at zero from the start: notifications per channel, missed evaluations, firing alerts. */
export function registerAlertingMetrics(metrics: SelfMetrics, service: AlertingService, store: Store): void {
  const registers = [metrics.registry];
  const channels = service.config.notifications.map((c) => c.name);
  for (const [outcome, help] of [
    ['sent', 'Notifications delivered, per channel.'],
    ['failed', 'Notifications given up after retries (or refused with a 4xx), per channel.'],
    ['dropped', 'Notifications dropped because the channel queue was full, per channel.'],
  ] as const) {
    new Counter({
      name: `vigil_notifications_${outcome}_total`, help, labelNames: ['channel'] as const, registers,
      collect() {
        const counters = service.notifier.counters();
        this.reset();
        for (const channel of channels) this.inc({ channel }, counters[channel]?.[outcome] ?? 0);
      },
    });
  }
  new Counter({
    name: 'vigil_alert_evaluations_missed_total',
    help: 'Evaluation slots skipped because a cycle overran or the process stalled.',
    registers,
    collect() {
      this.reset();
      this.inc(service.evaluator.stats.missedEvaluations);
    },
  });
  new Counter({
    name: 'vigil_alert_evaluations_total',
    help: 'Alert evaluation cycles run on this replica.',
    registers,
    collect() {
      this.reset();
      this.inc(service.evaluator.stats.cycles);
    },
  });
  new Gauge({
    name: 'vigil_alert_evaluation_duration_seconds',
    help: 'Duration of the last alert evaluation cycle.',
    registers,
    collect() {
      this.set(service.evaluator.stats.lastCycleMs / 1000);
    },
  });
  metrics.addProjectGauge({
    name: 'vigil_alerts_firing',
    help: 'Firing alert instances, by alertname and severity (silenced ones included).',
    labelNames: ['alertname', 'severity'],
    async collect(projectId) {
      const counts = new Map<string, { alertname: string; severity: string; n: number }>();
      // Every rule in effect shows, at zero when nothing fires: absent and zero read differently in PromQL.
      for (const r of service.rules) counts.set(`${r.name}\u0000${r.severity}`, { alertname: r.name, severity: r.severity, n: 0 });
      for (const row of await store.listAlertRows(projectId)) {
        if (row.state !== 'firing') continue;
        const labels = (row.body as { labels: Record<string, string> }).labels;
        const key = `${row.alertname}\u0000${labels.severity ?? ''}`;
        const c = counts.get(key) ?? { alertname: row.alertname, severity: labels.severity ?? '', n: 0 };
        c.n++;
        counts.set(key, c);
      }
      return [...counts.values()].map((c) => ({ labels: { alertname: c.alertname, severity: c.severity }, value: c.n }));
    },
  });
}
