// Assembles alerting: rules from config, the evaluator, the notifier, silences and the lease.
// alerts/ and notify/ never import each other; they meet here, where the server is put together.
import { createAlertQuery } from './alert-query.js';
import { alertRoutes } from './alert-routes.js';
import { createEvaluator, type Evaluator, type EvaluatorLog } from './evaluator.js';
import type { Rule, RuleContext } from './rule.js';
import { anomalyDetected, type AnomalyRule } from './rules/anomaly-detected.js';
import { customThreshold } from './rules/custom-threshold.js';
import { builtinRules } from './rules/index.js';
import { createSilenceService, type SilenceService } from './silences.js';
import { parseAlertingConfig, type AlertingConfig } from './alerting-config.js';
import { loadConfigFile } from '../config/vigil-config.js';
import type { Authenticator } from '../web/auth.js';
import { requireScope } from '../web/auth.js';
import { ALL_PROJECTS } from './notify/channel-project.js';
import { createNotifier, type Notifier } from './notify/notifier.js';
import type { RetryOptions } from './notify/retrying-transport.js';
import { createLeaseKeeper, type LeaseKeeper } from '../store/lease.js';
import type { AlertStateStore, LeaseStore, ProjectStore, RollupReader, RunFactReader, RunReader } from '../store/store.js';

/** The store roles alerting uses: recent runs and rollups to judge, and its own state and lease. */
export type AlertingStore = ProjectStore & RunReader & RollupReader & RunFactReader & AlertStateStore & LeaseStore;
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';

export const EVALUATOR_LEASE = 'alert-evaluator';
/** On shutdown, queued notifications get this long to go out before they are dropped (and counted). */
export const SHUTDOWN_DRAIN_MS = 5_000;

export interface AlertingServiceOptions {
  store: AlertingStore;
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
    timing: { evaluationIntervalMs: config.evaluationIntervalMs, groupWaitMs: config.groupWaitMs, groupIntervalMs: config.groupIntervalMs, repeatIntervalMs: config.repeatIntervalMs },
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

  /** A channel for a project that does not exist (a typo?) would page nobody: say so at start. */
  function warnOfUnknownProjects(): void {
    const named = config.notifications.filter((c) => c.project !== ALL_PROJECTS);
    if (named.length === 0) return;
    void store.listProjects().then((projects) => {
      const known = new Set(projects.map((p) => p.name));
      for (const c of named) {
        if (!known.has(c.project)) options.log?.warn({ channel: c.name, project: c.project }, `notification channel '${c.name}' is for project '${c.project}', which does not exist (yet): it carries no alerts until that project exists`);
      }
    }, () => undefined);
  }

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
      warnOfUnknownProjects();
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

/**
 * What alerting needs of the server's own metrics (metrics/self-metrics.ts provides it; app/ hands
 * it over): a registry for process-wide series and per-project gauges computed at scrape time.
 */
export interface AlertingMetricsSink {
  registry: Registry;
  addProjectGauge(gauge: {
    name: string;
    help: string;
    labelNames: string[];
    collect(projectId: number): Promise<{ labels: Record<string, string>; value: number }[]>;
  }): void;
}

/** Vigil's own alerting series, at zero from the start: notifications per channel, missed evaluations, firing alerts. */
export function registerAlertingMetrics(metrics: AlertingMetricsSink, service: AlertingService, store: AlertStateStore): void {
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
    help: 'Firing alert instances, by alertname, agent and severity (silenced ones included).',
    labelNames: ['alertname', 'agent', 'severity'],
    async collect(projectId) {
      const counts = new Map<string, { alertname: string; agent: string; severity: string; n: number }>();
      const count = (alertname: string, agent: string, severity: string, n: number) => {
        const key = `${alertname}\u0000${agent}\u0000${severity}`;
        const c = counts.get(key) ?? { alertname, agent, severity, n: 0 };
        c.n += n;
        counts.set(key, c);
      };
      // Every rule in effect shows, at zero when nothing fires (without agent: an empty label is
      // an absent one to Prometheus); so does each agent with a pending or recently resolved
      // instance. Absent and zero read differently in PromQL.
      for (const r of service.rules) count(r.name, '', r.severity, 0);
      for (const row of await store.listAlertRows(projectId)) {
        const labels = (row.body as { labels: Record<string, string> }).labels;
        count(row.alertname, labels.agent ?? '', labels.severity ?? '', row.state === 'firing' ? 1 : 0);
      }
      return [...counts.values()].map((c) => {
        const labels: Record<string, string> = c.agent === ''
          ? { alertname: c.alertname, severity: c.severity }
          : { alertname: c.alertname, agent: c.agent, severity: c.severity };
        return { labels, value: c.n };
      });
    },
  });
}
