// Read API for runs: one run with its full detail, and filtered, cursor-paged lists.
import type { FastifyInstance } from 'fastify';
import { COMPLETION_STATUSES } from '@vigil/protocol';
import { ApiError } from '../web/errors.js';
import type { RunReader } from '../store/store.js';
import { decodeCursor, encodeCursor, enumListParam, intParam, rangeParams, single, type Query } from './params.js';
import { runToJson } from './run-json.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1_000;

export async function runsRoutes(app: FastifyInstance, deps: { store: RunReader; now: () => number }): Promise<void> {
  app.get<{ Params: { run_id: string } }>('/api/runs/:run_id', async (request) => {
    const run = await deps.store.getRun(request.principal!.projectId, request.params.run_id);
    if (!run) throw new ApiError('NOT_FOUND', `no run with run_id '${request.params.run_id}'`);
    return runToJson(run);
  });

  app.get('/api/runs', async (request) => {
    const q = request.query as Query;
    const { from, to } = rangeParams(q, deps.now());
    const page = await deps.store.listRuns(request.principal!.projectId, {
      from,
      to,
      agent_name: single(q, 'agent_name'),
      completion_status: enumListParam(q, 'completion_status', COMPLETION_STATUSES),
      tool: single(q, 'tool'),
      session_id: single(q, 'session_id'),
      limit: intParam(q, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
      cursor: decodeCursor(q),
    });
    return { runs: page.runs.map(runToJson), next_cursor: page.next_cursor ? encodeCursor(page.next_cursor) : null };
  });
}
