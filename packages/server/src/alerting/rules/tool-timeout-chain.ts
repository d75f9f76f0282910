// ToolTimeoutChain: the same tool of an agent timed out `consecutive` times in a row (by call start
// time, across runs) within `window`. One instance per agent and tool.
import { formatDuration } from '@vigil/protocol';
import { commonDefaults, listRunIds, ms, type CommonRuleConfig, type Rule } from '../rule.js';
import { perAgentRule } from '../per-agent-rule.js';
import type { Observation } from '../state.js';
import type { ToolFact } from '../alert-data.js';

export interface ToolTimeoutChainConfig extends CommonRuleConfig {
  consecutive: number;
  windowMs: number;
}

export const TOOL_TIMEOUT_CHAIN_DEFAULTS: ToolTimeoutChainConfig = { ...commonDefaults('warning'), consecutive: 3, windowMs: 10 * 60_000 };

interface Call extends ToolFact {
  run_id: string;
  order: number;
}

/** The longest run of consecutive timeouts in calls sorted by time. */
export function longestTimeoutStreak(calls: readonly Call[]): Call[] {
  let best: Call[] = [];
  let current: Call[] = [];
  for (const c of calls) {
    if (c.status === 'timeout') {
      current.push(c);
      if (current.length > best.length) best = current;
    } else {
      current = [];
    }
  }
  return best;
}

export function toolTimeoutChain(config: ToolTimeoutChainConfig): Rule {
  return perAgentRule({ name: 'ToolTimeoutChain', config }, ({ agent, runs, from, data, observe, runsUrl }) => {
    const out: Observation[] = [];
    // Most tools never time out often enough to chain: count first, and order only the calls of
    // tools that could (this rule runs over every call of the window each cycle).
    const timeoutsByTool = new Map<string, number>();
    for (const run of runs) {
      for (const call of run.tool_calls) {
        if (call.status === 'timeout') timeoutsByTool.set(call.name, (timeoutsByTool.get(call.name) ?? 0) + 1);
      }
    }
    const candidates = new Set([...timeoutsByTool].filter(([, n]) => n >= config.consecutive).map(([name]) => name));
    if (candidates.size === 0) return out;
    const byTool = new Map<string, Call[]>();
    let order = 0;
    for (const run of runs) {
      for (const call of run.tool_calls) {
        order++;
        if (!candidates.has(call.name) || call.ts < from || call.ts >= data.now) continue;
        let list = byTool.get(call.name);
        if (!list) byTool.set(call.name, (list = []));
        list.push({ ...call, run_id: run.run_id, order });
      }
    }
    for (const [tool, calls] of byTool) {
      calls.sort((a, b) => a.ts - b.ts || a.order - b.order);
      const streak = longestTimeoutStreak(calls);
      if (streak.length < config.consecutive) continue;
      const runIds = [...new Set(streak.map((c) => c.run_id))];
      const waited = streak.map((c) => c.duration_ms).filter((d): d is number => d !== null);
      const timeouts = calls.filter((c) => c.status === 'timeout').length;
      out.push(observe(streak.length, {
        summary: `${agent.agent_name}: ${tool} timed out ${streak.length} times in a row`,
        description: `${tool} timed out on ${streak.length} consecutive calls (${timeouts} of ${calls.length} calls in the last ` +
          `${formatDuration(config.windowMs)}), across ${runIds.length} run${runIds.length === 1 ? '' : 's'}` +
          `${waited.length > 0 ? `; each call waited about ${ms(Math.max(...waited))} before giving up` : ''}.`,
        run_ids: listRunIds(runIds),
        why: `${timeouts} of the last ${calls.length} calls to ${tool} timed out`,
        runs_url: runsUrl({ tool }),
      }, tool));
    }
    return out;
  });
}
