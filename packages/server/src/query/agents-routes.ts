// Read API for fleet analytics: agents overview, one agent's time series, one agent's tools.
// Answers come from rollups (query/analytics.ts); an unknown agent is a 404.
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../web/errors.js';
import type { RunReader, RollupReader } from '../store/store.js';
import { agentSeries, fleetOverview, toolUsage, type TimeRange } from './analytics.js';
import { rangeParams, type Query } from './params.js';
import { formatDuration, metricsParam, stepParam } from './series-params.js';

const iso = (t: number): string => new Date(t).toISOString();

export async function agentsRoutes(app: FastifyInstance, deps: { store: RunReader & RollupReader; now: () => number }): Promise<void> {
  /** 404 unless the agent was registered or has sent a run (every run registers its agent). */
  async function knownAgent(projectId: number, name: string): Promise<void> {
    if (!(await deps.store.getAgent(projectId, name))) throw new ApiError('NOT_FOUND', `no agent named '${name}'`);
  }

  app.get('/api/agents', async (request) => {
    const range: TimeRange = rangeParams(request.query as Query, deps.now());
    const overview = await fleetOverview(deps.store, request.principal!.projectId, range);
    return { from: iso(range.from), to: iso(range.to), ...overview };
  });

  app.get<{ Params: { agent_name: string } }>('/api/agents/:agent_name/timeseries', async (request) => {
    const q = request.query as Query;
    const projectId = request.principal!.projectId;
    const range: TimeRange = rangeParams(q, deps.now());
    const metrics = metricsParam(q);
    const stepMs = stepParam(q, range);
    const agent = request.params.agent_name;
    await knownAgent(projectId, agent);
    const points = await agentSeries(deps.store, projectId, agent, range, stepMs, metrics);
    return {
      agent_name: agent,
      from: iso(range.from),
      to: iso(range.to),
      step: formatDuration(stepMs),
      step_ms: stepMs,
      metrics,
      points: points.map((p) => ({ timestamp: iso(p.t), ...p.values })),
    };
  });

  app.get<{ Params: { agent_name: string } }>('/api/agents/:agent_name/tools', async (request) => {
    const projectId = request.principal!.projectId;
    const range: TimeRange = rangeParams(request.query as Query, deps.now());
    const agent = request.params.agent_name;
    await knownAgent(projectId, agent);
    const usage = await toolUsage(deps.store, projectId, agent, range);
    return { agent_name: agent, from: iso(range.from), to: iso(range.to), ...usage };
  });
}
