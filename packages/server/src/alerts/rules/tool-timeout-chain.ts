// ToolTimeoutChain: the same tool of an agent timed out `consecutive` times in a row (by call start
// time, across runs) within `window`. One instance per agent and tool.
import { formatDuration } from '../../config/duration.js';
import { annotate, commonDefaults, listRunIds, ms, type CommonRuleConfig, type Rule } from '../rule.js';
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
  return {
    name: 'ToolTimeoutChain',
    timing: config,
    needs: { windowMs: config.windowMs },
    evaluate({ data, runListUrl }) {
      const out: Observation[] = [];
      const from = data.now - config.windowMs;
      for (const agent of data.agents) {
        const byTool = new Map<string, Call[]>();
        let order = 0;
        for (const run of data.runs(agent.agent_name, from)) {
          for (const call of run.tool_calls) {
            order++;
            if (call.ts < from || call.ts >= data.now) continue;
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
          out.push({
            labels: { alertname: 'ToolTimeoutChain', agent: agent.agent_name, tool, severity: config.severity },
            value: streak.length,
            annotations: annotate({
              summary: `${agent.agent_name}: ${tool} timed out ${streak.length} times in a row`,
              description: `${tool} timed out on ${streak.length} consecutive calls (${timeouts} of ${calls.length} calls in the last ` +
                `${formatDuration(config.windowMs)}), across ${runIds.length} run${runIds.length === 1 ? '' : 's'}` +
                `${waited.length > 0 ? `; each call waited about ${ms(Math.max(...waited))} before giving up` : ''}.`,
              value: String(streak.length),
              run_ids: listRunIds(runIds),
              why: `${timeouts} of the last ${calls.length} calls to ${tool} timed out`,
              runs_url: runListUrl({ agent_name: agent.agent_name, from, to: data.now, tool }),
            }),
          });
        }
      }
      return out;
    },
  };
}
