// Runs the rules on aligned time slots, on the leader replica only: one cycle loads each project's
// snapshot, evaluates every rule, steps every instance through state.ts, stores the changes and
// hands the project's instances to the notify callback. Late ticks are counted, never bunched.
// State lives in the store (re-read each cycle), so a restart or a new leader carries on.
import type { AlertQuery } from './alert-query.js';
import { labelKey } from './labels.js';
import type { Rule, RuleContext } from './rule.js';
import { stepAlert, type Observation, type StepTiming } from './state.js';
import { markSilenced } from './silences.js';
import type { AlertInstance, AlertTransition, AlertView, Silence } from './types.js';
import type { ProjectStore, AlertStateStore } from '../store/store.js';

/** Timing applied to instances whose rule no longer exists (disabled or removed): they resolve. */
const ORPHAN_TIMING: StepTiming = { forMs: 0, keepFiringForMs: 0 };

export interface NotifyBatch {
  projectId: number;
  /** The project's name: notification channels are routed by it (notifications[].project). */
  projectName: string;
  now: number;
  /** Every instance of the project after this cycle (pending, firing, recently resolved), silences marked. */
  alerts: AlertView[];
}

export interface EvaluatorLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EvaluatorOptions {
  store: ProjectStore & AlertStateStore;
  query: AlertQuery;
  rules: readonly Rule[];
  evaluationIntervalMs: number;
  /** Only the replica holding the evaluation lease evaluates. Default: always (one process). */
  isLeader?: () => boolean;
  /** Told about each project's instances after each cycle; must not throw (errors are logged). */
  notify?: (batch: NotifyBatch) => void | Promise<void>;
  runListUrl: RuleContext['runListUrl'];
  /** The project's current silences; default none. */
  silences?: (projectId: number, now: number) => Promise<Silence[]>;
  now?: () => number;
  log?: EvaluatorLog;
}

export interface CycleReport {
  at: number;
  durationMs: number;
  projects: number;
  transitions: AlertTransition[];
  ruleErrors: number;
}

export interface EvaluatorStats {
  cycles: number;
  /** Slots that passed without an evaluation because the previous one was still running or the process stalled. */
  missedEvaluations: number;
  ruleErrors: number;
  lastCycleMs: number;
  /** Firing instances after the last cycle, all projects. */
  firing: number;
}

export interface Evaluator {
  /** One cycle at `now` (default: the clock). Tests call this directly, stepping through time. */
  evaluateOnce(now?: number): Promise<CycleReport | null>;
  /** Replaces the rule set; instance state carries over by label set. */
  setRules(rules: readonly Rule[]): void;
  readonly stats: Readonly<EvaluatorStats>;
  /** Ticks on slots aligned to the interval (timer unref'd). */
  start(): void;
  /** Stops ticking and waits for a running cycle. Idempotent. */
  stop(): Promise<void>;
}

const noopLog: EvaluatorLog = { warn() {}, error() {} };

function same(a: AlertInstance, b: AlertInstance): boolean {
  return a.state === b.state && a.value === b.value && a.lastSeenAt === b.lastSeenAt && JSON.stringify(a.annotations) === JSON.stringify(b.annotations);
}

export function createEvaluator(options: EvaluatorOptions): Evaluator {
  const clock = options.now ?? Date.now;
  const interval = options.evaluationIntervalMs;
  const log = options.log ?? noopLog;
  let rules = [...options.rules];
  const stats: EvaluatorStats = { cycles: 0, missedEvaluations: 0, ruleErrors: 0, lastCycleMs: 0, firing: 0 };
  let running: Promise<CycleReport | null> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let lastSlot: number | null = null;

  async function evaluateProject(projectId: number, now: number, report: CycleReport): Promise<AlertInstance[]> {
    const data = await options.query(projectId, now, rules.map((r) => r.needs));
    const ctx: RuleContext = { projectId, data, runListUrl: options.runListUrl };
    const stored = await options.store.listAlertRows(projectId);
    const previous = new Map<string, AlertInstance>(stored.map((r) => [r.fingerprint, r.body as AlertInstance]));

    const found = new Map<string, { obs: Observation; timing: StepTiming }>();
    const failedRules = new Set<string>();
    for (const rule of rules) {
      // Rules run on the event loop, each over the whole window (150k runs at 15k runs/s of
      // ingest: up to ~0.2 s a rule); requests get through between them. (Tests that fake
      // timers must leave setImmediate real, or a cycle never ends.)
      await new Promise((resolve) => setImmediate(resolve));
      let observations: Observation[];
      try {
        observations = await rule.evaluate(ctx);
      } catch (error) {
        // A broken rule keeps its instances as they are rather than resolving them falsely.
        for (const name of rule.alertnames ?? [rule.name]) failedRules.add(name);
        report.ruleErrors++;
        log.error({ err: error, rule: rule.name, projectId }, 'alert rule failed');
        continue;
      }
      for (const obs of observations) found.set(labelKey(obs.labels), { obs, timing: rule.timing });
    }
    const timingOf = new Map(rules.flatMap((r) => (r.alertnames ?? [r.name]).map((name) => [name, r.timing] as const)));

    const upserts: AlertInstance[] = [];
    const deletes: string[] = [];
    const current: AlertInstance[] = [];
    const keys = new Set([...previous.keys(), ...found.keys()]);
    for (const key of keys) {
      const prev = previous.get(key) ?? null;
      const alertname = prev?.labels.alertname ?? found.get(key)?.obs.labels.alertname ?? '';
      if (failedRules.has(alertname)) {
        if (prev) current.push(prev);
        continue;
      }
      const f = found.get(key);
      const timing = f?.timing ?? timingOf.get(alertname) ?? ORPHAN_TIMING;
      const { next, transition } = stepAlert(prev, f?.obs ?? null, now, timing);
      if (transition) report.transitions.push(transition);
      if (next === null) {
        if (prev) deletes.push(key);
        continue;
      }
      current.push(next);
      if (!prev || !same(prev, next)) upserts.push(next);
    }
    if (upserts.length > 0 || deletes.length > 0 || report.transitions.length > 0) {
      await options.store.saveAlertChanges({
        upserts: upserts.map((i) => ({ project_id: projectId, fingerprint: i.fingerprint, alertname: i.labels.alertname ?? '', state: i.state, body: i })),
        deletes: deletes.map((fingerprint) => ({ project_id: projectId, fingerprint })),
        history: report.transitions.map((t) => ({
          project_id: projectId, fingerprint: t.fingerprint, alertname: t.labels.alertname ?? '', state: t.state, at: t.at, body: t,
        })),
      });
    }
    return current;
  }

  async function cycle(now: number): Promise<CycleReport | null> {
    if (options.isLeader && !options.isLeader()) return null;
    const started = performance.now();
    const report: CycleReport = { at: now, durationMs: 0, projects: 0, transitions: [], ruleErrors: 0 };
    let firing = 0;
    for (const project of await options.store.listProjects()) {
      const projectReport: CycleReport = { ...report, transitions: [], ruleErrors: 0 };
      let alerts: AlertInstance[];
      try {
        alerts = await evaluateProject(project.id, now, projectReport);
      } catch (error) {
        log.error({ err: error, projectId: project.id }, 'alert evaluation failed');
        continue;
      }
      report.projects++;
      report.transitions.push(...projectReport.transitions);
      report.ruleErrors += projectReport.ruleErrors;
      firing += alerts.filter((a) => a.state === 'firing').length;
      if (options.notify) {
        try {
          const silences = options.silences ? await options.silences(project.id, now) : [];
          await options.notify({ projectId: project.id, projectName: project.name, now, alerts: markSilenced(project.id, alerts, silences, now) });
        } catch (error) {
          log.error({ err: error, projectId: project.id }, 'alert notification dispatch failed');
        }
      }
    }
    report.durationMs = performance.now() - started;
    stats.cycles++;
    stats.ruleErrors += report.ruleErrors;
    stats.lastCycleMs = report.durationMs;
    stats.firing = firing;
    return report;
  }

  function evaluateOnce(now = clock()): Promise<CycleReport | null> {
    // Cycles never overlap: a manual call waits for a running one.
    const run = (running ?? Promise.resolve(null)).catch(() => null).then(() => cycle(now));
    const tracked: Promise<CycleReport | null> = run.catch(() => null).finally(() => {
      if (running === tracked) running = null;
    });
    running = tracked;
    return run;
  }

  function schedule(): void {
    if (stopped) return;
    const t = clock();
    const next = Math.floor(t / interval) * interval + interval;
    timer = setTimeout(tick, next - t);
    timer.unref();
  }

  function tick(): void {
    const slot = Math.floor(clock() / interval) * interval;
    // A stalled process (or a timer that fired late) skipped whole slots: count them, do not replay them.
    if (lastSlot !== null && slot - lastSlot > interval) stats.missedEvaluations += Math.round((slot - lastSlot) / interval) - 1;
    lastSlot = slot;
    if (running) {
      // The previous cycle overran into this slot: skip it and count it.
      stats.missedEvaluations++;
    } else {
      evaluateOnce(slot).catch((error: unknown) => log.error({ err: error }, 'alert evaluation cycle failed'));
    }
    schedule();
  }

  return {
    evaluateOnce,
    setRules(next) {
      rules = [...next];
    },
    stats,
    start() {
      if (timer || stopped) return;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
