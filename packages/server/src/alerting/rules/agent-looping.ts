// AgentLooping: a run called the same tool with identical arguments (same args_hash) `repeats`
// times in a row. One instance per agent and tool, over the runs that started within `window`.
import { commonDefaults, listRunIds, type CommonRuleConfig, type Rule } from '../rule.js';
import { perAgentRule } from '../per-agent-rule.js';
import type { ToolFact } from '../alert-data.js';

export interface AgentLoopingConfig extends CommonRuleConfig {
  repeats: number;
  windowMs: number;
}

export const AGENT_LOOPING_DEFAULTS: AgentLoopingConfig = { ...commonDefaults('warning'), repeats: 3, windowMs: 15 * 60_000 };

/** Per tool, the longest streak of identical consecutive calls in one run's call list. */
export function repeatStreaks(calls: readonly ToolFact[]): Map<string, { length: number; argsHash: string }> {
  const best = new Map<string, { length: number; argsHash: string }>();
  let streak = 0;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const prev = i > 0 ? calls[i - 1]! : null;
    // Calls without an args_hash cannot be compared: they never count as repeats.
    streak = c.args_hash !== null && prev !== null && prev.name === c.name && prev.args_hash === c.args_hash ? streak + 1 : 1;
    if (c.args_hash === null) continue;
    const cur = best.get(c.name);
    if (!cur || streak > cur.length) best.set(c.name, { length: streak, argsHash: c.args_hash });
  }
  return best;
}

export function agentLooping(config: AgentLoopingConfig): Rule {
  return perAgentRule({ name: 'AgentLooping', config }, ({ agent, runs, observe, runsUrl }) => {
    const byTool = new Map<string, { runs: string[]; longest: number; argsHash: string; worstRun: string }>();
    for (const run of runs) {
      for (const [tool, s] of repeatStreaks(run.tool_calls)) {
        if (s.length < config.repeats) continue;
        let e = byTool.get(tool);
        if (!e) byTool.set(tool, (e = { runs: [], longest: 0, argsHash: s.argsHash, worstRun: run.run_id }));
        e.runs.push(run.run_id);
        if (s.length > e.longest) Object.assign(e, { longest: s.length, argsHash: s.argsHash, worstRun: run.run_id });
      }
    }
    return [...byTool].map(([tool, e]) => observe(e.longest, {
      summary: `${agent.agent_name}: called ${tool} with identical arguments ${e.longest} times in a row`,
      description: `${e.runs.length} run${e.runs.length === 1 ? '' : 's'} repeated a call to ${tool} with the same arguments ` +
        `≥ ${config.repeats} times in a row; the longest streak (${e.longest}) was in ${e.worstRun} (args_hash ${e.argsHash}).`,
      run_ids: listRunIds(e.runs),
      why: `the agent kept retrying ${tool} with unchanged arguments instead of changing course`,
      runs_url: runsUrl({ tool }),
    }, tool));
  });
}
