// The shape every rule fits: built-in rules (rules/*.ts), custom threshold rules and the anomaly
// rule. A rule reads a snapshot and returns what holds now; it keeps no state of its own (the
// anomaly rule's detectors are the one exception, and they live behind its own object).
import type { AlertData } from './alert-data.js';
import type { Observation, StepTiming } from './state.js';

export interface RuleContext {
  projectId: number;
  data: AlertData;
  /** The dashboard's run list for an agent and time range, for annotations (`runs_url`). */
  runListUrl(query: { agent_name: string; from: number; to: number; completion_status?: string; tool?: string }): string;
}

/** What a rule asks the loader for, so one cycle loads the union once. */
export interface RuleNeeds {
  /** Raw runs this far back from now. */
  windowMs: number;
  /** Baselines: `spanMs` of runs preceding the rule's `windowMs`. */
  baselines?: { spanMs: number; windowMs: number }[];
}

export interface Rule {
  /** The alertname, exactly as DESIGN.md spells it (or the custom rule's name). */
  readonly name: string;
  /** Every alertname its instances carry, when more than `name` (the anomaly rule's FleetAnomaly). */
  readonly alertnames?: readonly string[];
  readonly timing: StepTiming;
  readonly needs: RuleNeeds;
  /** Findings whose condition holds at `ctx.data.now`; one per label set. */
  evaluate(ctx: RuleContext): Observation[] | Promise<Observation[]>;
}

/** Run ids for an annotation: the first `max`, then "… and N more". */
export function listRunIds(ids: readonly string[], max = 10): string {
  if (ids.length <= max) return ids.join(', ');
  return `${ids.slice(0, max).join(', ')} … and ${ids.length - max} more`;
}

export function percent(x: number): string {
  const p = x * 100;
  return `${p >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

export function ms(x: number): string {
  return x >= 10_000 ? `${(x / 1000).toFixed(0)} s` : x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Fields every rule has in vigil.yaml. */
export interface CommonRuleConfig {
  enabled: boolean;
  /** `for`: pending this long before firing, ms. Default 0 (fire at once). */
  forMs: number;
  /** `keep_firing_for`: stay firing this long after the condition stops, ms. Default 0. */
  keepFiringForMs: number;
  /** The `severity` label. */
  severity: string;
}

export const commonDefaults = (severity = 'warning'): CommonRuleConfig => ({ enabled: true, forMs: 0, keepFiringForMs: 0, severity });

/** Builds the annotations of a finding: summary and description first, evidence after, empty ones left out. */
export function annotate(fields: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
