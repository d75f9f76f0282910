// The loop every threshold-style rule shares: for each agent with runs in the rule's window, hand
// the rule those runs and collect what it finds, labelled alertname/agent[/tool]/severity. The
// rule's own file keeps only its condition and its evidence; this file must not decide anything.
import type { AgentFact, AlertData, RunFact } from './alert-data.js';
import { annotate, type CommonRuleConfig, type Rule, type RuleNeeds } from './rule.js';
import type { Observation } from './state.js';

/** What a per-agent check sees: one agent and its runs that started in [from, now). */
export interface AgentWindow {
  agent: AgentFact;
  /** Never empty: agents with no runs in the window are skipped (no runs is no data). */
  runs: RunFact[];
  from: number;
  data: AlertData;
  /** The dashboard's run list for this agent over the window, narrowed by status or tool. */
  runsUrl(filter?: { completion_status?: string; tool?: string }): string;
  /**
   * A finding for this agent (and `tool`, when given). Its annotations are summary and description,
   * then `value` (the value as text), then the evidence in the order given; empty ones left out.
   */
  observe(value: number, text: { summary: string; description: string } & Record<string, string | undefined>, tool?: string): Observation;
}

export interface PerAgentRuleSpec {
  name: string;
  config: CommonRuleConfig & { windowMs: number };
  /** A baseline span preceding the window that the rule reads through `data.baseline`. */
  baselineMs?: number;
  /** Extra labels on every instance (custom rules); alertname, agent and severity win over them. */
  labels?: Record<string, string>;
  /** Agents the rule looks at; default all. */
  select?(agent: AgentFact): boolean;
}

export function perAgentRule(spec: PerAgentRuleSpec, check: (w: AgentWindow) => Observation | Observation[] | null): Rule {
  const { name, config } = spec;
  const needs: RuleNeeds = spec.baselineMs === undefined
    ? { windowMs: config.windowMs }
    : { windowMs: config.windowMs, baselines: [{ spanMs: spec.baselineMs, windowMs: config.windowMs }] };
  return {
    name,
    timing: config,
    needs,
    evaluate({ data, runListUrl }) {
      const out: Observation[] = [];
      const from = data.now - config.windowMs;
      for (const agent of data.agents) {
        if (spec.select && !spec.select(agent)) continue;
        const runs = data.runs(agent.agent_name, from);
        if (runs.length === 0) continue;
        const found = check({
          agent,
          runs,
          from,
          data,
          runsUrl: (filter) => runListUrl({ agent_name: agent.agent_name, from, to: data.now, ...filter }),
          observe(value, { summary, description, ...evidence }, tool) {
            const labels = { ...spec.labels, alertname: name, agent: agent.agent_name, ...(tool === undefined ? {} : { tool }), severity: config.severity };
            return { labels, value, annotations: annotate({ summary, description, value: String(value), ...evidence }) };
          },
        });
        if (Array.isArray(found)) out.push(...found);
        else if (found) out.push(found);
      }
      return out;
    },
  };
}
