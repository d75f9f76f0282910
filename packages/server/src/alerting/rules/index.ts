// The built-in rules, by alertname, with their defaults: the table in DESIGN.md, as code.
import type { Rule } from '../rule.js';
import { agentLooping, AGENT_LOOPING_DEFAULTS, type AgentLoopingConfig } from './agent-looping.js';
import { iterationLimitHit, ITERATION_LIMIT_HIT_DEFAULTS, type IterationLimitHitConfig } from './iteration-limit-hit.js';
import { latencyP95Spike, LATENCY_P95_SPIKE_DEFAULTS, type LatencyP95SpikeConfig } from './latency-p95-spike.js';
import { successRateDrop, SUCCESS_RATE_DROP_DEFAULTS, type SuccessRateDropConfig } from './success-rate-drop.js';
import { tokenBudgetOverrun, TOKEN_BUDGET_OVERRUN_DEFAULTS, type TokenBudgetOverrunConfig } from './token-budget-overrun.js';
import { toolTimeoutChain, TOOL_TIMEOUT_CHAIN_DEFAULTS, type ToolTimeoutChainConfig } from './tool-timeout-chain.js';

export interface BuiltinRuleConfigs {
  IterationLimitHit: IterationLimitHitConfig;
  ToolTimeoutChain: ToolTimeoutChainConfig;
  TokenBudgetOverrun: TokenBudgetOverrunConfig;
  LatencyP95Spike: LatencyP95SpikeConfig;
  SuccessRateDrop: SuccessRateDropConfig;
  AgentLooping: AgentLoopingConfig;
}

export type BuiltinRuleName = keyof BuiltinRuleConfigs;

export const BUILTIN_RULE_NAMES: readonly BuiltinRuleName[] = [
  'IterationLimitHit', 'ToolTimeoutChain', 'TokenBudgetOverrun', 'LatencyP95Spike', 'SuccessRateDrop', 'AgentLooping',
];

export function builtinDefaults(): BuiltinRuleConfigs {
  return structuredClone({
    IterationLimitHit: ITERATION_LIMIT_HIT_DEFAULTS,
    ToolTimeoutChain: TOOL_TIMEOUT_CHAIN_DEFAULTS,
    TokenBudgetOverrun: TOKEN_BUDGET_OVERRUN_DEFAULTS,
    LatencyP95Spike: LATENCY_P95_SPIKE_DEFAULTS,
    SuccessRateDrop: SUCCESS_RATE_DROP_DEFAULTS,
    AgentLooping: AGENT_LOOPING_DEFAULTS,
  });
}

/** The enabled built-in rules. */
export function builtinRules(configs: BuiltinRuleConfigs): Rule[] {
  const out: Rule[] = [];
  if (configs.IterationLimitHit.enabled) out.push(iterationLimitHit(configs.IterationLimitHit));
  if (configs.ToolTimeoutChain.enabled) out.push(toolTimeoutChain(configs.ToolTimeoutChain));
  if (configs.TokenBudgetOverrun.enabled) out.push(tokenBudgetOverrun(configs.TokenBudgetOverrun));
  if (configs.LatencyP95Spike.enabled) out.push(latencyP95Spike(configs.LatencyP95Spike));
  if (configs.SuccessRateDrop.enabled) out.push(successRateDrop(configs.SuccessRateDrop));
  if (configs.AgentLooping.enabled) out.push(agentLooping(configs.AgentLooping));
  return out;
}
