import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilServer } from '../../src/app/server.js';
import { auth, makeRun, startTestServer } from '../helpers/test-server.js';

let vigil: VigilServer & { key: string };
const base = Date.parse('2026-03-02T10:00:00Z');
const get = async (url: string) => vigil.app.inject({ url, headers: auth() });

beforeAll(async () => {
  vigil = await startTestServer();
  // 30 runs one minute apart, alternating agents; every fifth failed with a timeout of create_ticket.
  const runs = Array.from({ length: 30 }, (_, i) => makeRun({
    run_id: `r-${String(i).padStart(2, '0')}`,
    agent_name: i % 2 === 0 ? 'even_bot' : 'odd_bot',
    timestamp: base + i * 60_000,
    completion_status: i % 5 === 0 ? 'timeout' : 'success',
    session_id: i < 3 ? 'sess-a' : undefined,
    tool_calls: i % 5 === 0 ? [{ name: 'create_ticket', status: 'timeout' }] : [{ name: 'search', status: 'success' }],
  }));
  const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs }, headers: auth() });
  expect(res.statusCode).toBe(200);
});
afterAll(async () => vigil.close());

const range = `from=${new Date(base - 1).toISOString()}&to=${new Date(base + 3600_000).toISOString()}`;

describe('GET /api/runs', () => {
  it('lists runs newest first and pages through all of them with the cursor, each once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/runs?${range}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { runs: { run_id: string }[]; next_cursor: string | null };
      seen.push(...body.runs.map((r) => r.run_id));
      cursor = body.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `r-${String(29 - i).padStart(2, '0')}`));
  });

  it('filters by agent, status, tool and session', async () => {
    const byAgent = (await get(`/api/runs?${range}&agent_name=odd_bot&limit=100`)).json();
    expect(byAgent.runs).toHaveLength(15);
    expect(byAgent.runs.every((r: { agent_name: string }) => r.agent_name === 'odd_bot')).toBe(true);
    const byStatus = (await get(`/api/runs?${range}&completion_status=timeout,error`)).json();
    expect(byStatus.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['r-25', 'r-20', 'r-15', 'r-10', 'r-05', 'r-00']);
    const byTool = (await get(`/api/runs?${range}&tool=create_ticket&agent_name=even_bot`)).json();
    expect(byTool.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['r-20', 'r-10', 'r-00']);
    const bySession = (await get(`/api/runs?${range}&session_id=sess-a`)).json();
    expect(bySession.runs).toHaveLength(3);
  });

  it('applies from and to, and defaults to the last 24 hours', async () => {
    const window = (await get(`/api/runs?from=${base + 10 * 60_000}&to=${base + 12 * 60_000}`)).json();
    expect(window.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['r-11', 'r-10']);
    // The fixture lies in March 2026, outside the default window.
    expect((await get('/api/runs')).json().runs).toEqual([]);
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2026-13-40T00:00:00Z', 'to'],
    ['from=2026-03-02T11:00:00Z&to=2026-03-02T10:00:00Z', 'from'],
    ['limit=0', 'limit'],
    ['limit=5000', 'limit'],
    ['limit=ten', 'limit'],
    ['completion_status=done', 'completion_status'],
    ['cursor=not-a-cursor', 'cursor'],
    ['agent_name=a&agent_name=b', 'agent_name'],
  ])('answers 400 naming the parameter for %s', async (query, param) => {
    const res = await get(`/api/runs?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_PARAMETER');
    expect(res.json().error.details[0].path).toBe(param);
  });
});

describe('GET /api/runs/:run_id', () => {
  it('answers 404 with the error body for an unknown run', async () => {
    const res = await get('/api/runs/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});
