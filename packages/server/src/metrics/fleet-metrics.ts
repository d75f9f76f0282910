// Fleet series for GET /metrics, one prom-client registry per project, fed with every run a store
// write accepted. They count runs as received by this process (a re-sent run counts again; a
// restart starts from zero, which Prometheus's rate() treats as a counter reset), the usual
// meaning of client-side instrumentation; with several replicas, sum() over instances.
import { Counter, Histogram, Registry } from 'prom-client';
import type { RunRecord } from '@vigil/protocol';
import { GEN_AI_DURATION_BUCKETS_SECONDS } from './otel-buckets.js';

export interface FleetMetrics {
  observe(projectId: number, runs: readonly RunRecord[]): void;
  /** The project's registry (empty until its first run). */
  registry(projectId: number): Registry;
}

function createProjectRegistry() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    runs: new Counter({ name: 'agent_runs_total', help: 'Agent runs received, by agent and completion status.', labelNames: ['agent', 'status'], registers }),
    duration: new Histogram({
      name: 'agent_run_duration_seconds',
      help: 'Run duration in seconds (OpenTelemetry GenAI duration buckets).',
      labelNames: ['agent'],
      buckets: [...GEN_AI_DURATION_BUCKETS_SECONDS],
      registers,
    }),
    tokens: new Counter({
      name: 'agent_tokens_total',
      help: 'Tokens used by runs, by agent and type (cached_input is part of input, reasoning part of output).',
      labelNames: ['agent', 'type'],
      registers,
    }),
    tools: new Counter({ name: 'agent_tool_calls_total', help: 'Tool calls, by agent, tool and status.', labelNames: ['agent', 'tool', 'status'], registers }),
    cost: new Counter({ name: 'agent_cost_usd_total', help: 'Cost of priced runs in US dollars, by agent.', labelNames: ['agent'], registers }),
    unpriced: new Counter({
      name: 'agent_unpriced_runs_total',
      help: 'Runs without a cost because the price table does not know their model, by agent and model.',
      labelNames: ['agent', 'model'],
      registers,
    }),
  };
}

export function createFleetMetrics(): FleetMetrics {
  const projects = new Map<number, ReturnType<typeof createProjectRegistry>>();
  const of = (projectId: number) => {
    let p = projects.get(projectId);
    if (!p) projects.set(projectId, (p = createProjectRegistry()));
    return p;
  };
  return {
    observe(projectId, runs) {
      const p = of(projectId);
      for (const run of runs) {
        const agent = run.agent_name;
        p.runs.inc({ agent, status: run.completion_status });
        p.duration.observe({ agent }, run.duration_ms / 1000);
        for (const type of ['input', 'output', 'cached_input', 'reasoning'] as const) {
          if (run.tokens[type] > 0) p.tokens.inc({ agent, type }, run.tokens[type]);
        }
        for (const call of run.tool_calls) p.tools.inc({ agent, tool: call.name, status: call.status });
        if (run.cost_usd !== null) p.cost.inc({ agent }, run.cost_usd);
        else if (run.model !== null) p.unpriced.inc({ agent, model: run.model });
      }
    },
    registry: (projectId) => of(projectId).registry,
  };
}
