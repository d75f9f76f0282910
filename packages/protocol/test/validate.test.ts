// The wire validators as a client meets them: what is accepted, and for what is not, the JSON
// pointer of the offending field. The server's routes add status codes on top of these issues.
import { describe, expect, it } from 'vitest';
import {
  MAX_RUNS_PER_BATCH,
  MAX_TAGS_PER_RUN,
  MAX_TOOL_CALLS_PER_RUN,
  parseTime,
  validateAgentConfig,
  validateRun,
  validateRunBatch,
  validateSeedPayload,
  type Issue,
} from '../src/index.js';

/** The seed write-up's POST body, exactly. */
const SEED = {
  agent_name: 'customer_support_bot',
  run_id: 'uuid-here',
  duration_ms: 2847,
  iterations: 3,
  tokens_used: 1240,
  tool_calls: [
    { name: 'search_knowledge_base', status: 'success' },
    { name: 'create_ticket', status: 'success' },
  ],
  completion_status: 'success',
  timestamp: '2024-01-15T09:23:45Z',
};

const paths = (issues: Issue[]) => issues.map((i) => i.path).sort();
function issuesOf(r: { ok: true } | { ok: false; issues: Issue[] }): Issue[] {
  if (r.ok) throw new Error('expected the value to be rejected');
  return r.issues;
}

describe('the seed payload', () => {
  it('accepts the write-up body as one object and as an array', () => {
    expect(validateSeedPayload(SEED)).toEqual({ ok: true, value: [SEED] });
    expect(validateSeedPayload([SEED, { ...SEED, run_id: 'b' }])).toMatchObject({ ok: true });
  });

  it('names the item and field of a bad run inside an array', () => {
    const bad = { ...SEED, tool_calls: [{ name: 'x', status: 'exploded' }] };
    const issues = issuesOf(validateSeedPayload([SEED, bad]));
    expect(issues).toEqual([{ path: '/1/tool_calls/0/status', message: 'must be one of success, error, timeout' }]);
  });

  it('rejects an empty array and a body that is not a run', () => {
    expect(paths(issuesOf(validateSeedPayload([])))).toEqual(['']);
    expect(issuesOf(validateSeedPayload('run'))[0]!.message).toMatch(/run object/);
    expect(issuesOf(validateSeedPayload(null))[0]!.path).toBe('');
  });
});

describe('a run', () => {
  const full = {
    ...SEED,
    ended_at: 1_705_310_628_592,
    tokens: { input: 1000, output: 200, cached_input: 40, reasoning: 0 },
    model: 'gpt-4o',
    error: { type: 'RateLimitError', message: 'slow down' },
    cost_usd: 0.0123,
    environment: 'production',
    release: 'v2',
    session_id: 's-1',
    user_id: 'u-1',
    tags: { team: 'support' },
    tool_calls: [{ name: 'create_ticket', status: 'timeout', duration_ms: 30_000, started_at: '2024-01-15T09:23:46.5+01:00', call_id: 'c1', args_hash: 'ab12', error: { type: 'Timeout' } }],
    steps: [{ model: 'gpt-4o', started_at: 1_705_310_625_000, duration_ms: 900, tokens: { input: 10 }, finish_reason: 'tool_calls', request_id: 'req_1', tool_calls_requested: ['create_ticket'] }],
    transitions: [{ state: 'started', at: SEED.timestamp }, { state: 'tool:create_ticket', at: 1_705_310_626_000 }],
    sampled: true,
  };

  it('accepts every field of the data model', () => {
    expect(validateRun(full)).toEqual({ ok: true, value: full });
  });

  it('requires run_id, agent_name and completion_status', () => {
    expect(paths(issuesOf(validateRun({})))).toEqual(['/agent_name', '/completion_status', '/run_id']);
  });

  it('reports every bad field at once, each by its path', () => {
    const issues = issuesOf(validateRun({ ...full, completion_status: 'done', iterations: -1, tokens: { input: 1.5 }, steps: [{ surprise: 1 }], transitions: [{ state: '' , at: 'yesterday' }] }));
    expect(paths(issues)).toEqual(['/completion_status', '/iterations', '/steps/0/surprise', '/tokens/input', '/transitions/0/at', '/transitions/0/state']);
    expect(issues.find((i) => i.path === '/completion_status')!.message).toBe('must be one of success, error, iteration_limit, timeout, cancelled, gave_up');
    expect(issues.find((i) => i.path === '/steps/0/surprise')!.message).toBe('is not a known field');
  });

  it('keeps lists and maps within their limits', () => {
    const calls = Array.from({ length: MAX_TOOL_CALLS_PER_RUN + 1 }, () => ({ name: 't', status: 'success' }));
    expect(paths(issuesOf(validateRun({ ...SEED, tool_calls: calls })))).toEqual(['/tool_calls']);
    const tags = Object.fromEntries(Array.from({ length: MAX_TAGS_PER_RUN + 1 }, (_, i) => [`k${i}`, 'v']));
    expect(issuesOf(validateRun({ ...SEED, tags }))[0]).toEqual({ path: '/tags', message: `must have at most ${MAX_TAGS_PER_RUN} keys` });
    expect(issuesOf(validateRun({ ...SEED, agent_name: 'a'.repeat(257) }))[0]).toEqual({ path: '/agent_name', message: 'must be at most 256 characters' });
    expect(issuesOf(validateRun({ ...SEED, run_id: '' }))[0]).toEqual({ path: '/run_id', message: 'must not be empty' });
  });

  it('refuses reserved keys and NUL characters wherever they are, by path', () => {
    const body = JSON.parse('{"run_id":"r","agent_name":"a\\u0000b","completion_status":"success","tags":{"__proto__":"x"}}') as unknown;
    expect(paths(issuesOf(validateRun(body)))).toEqual(['/agent_name', '/tags/__proto__']);
  });
});

describe('a batch', () => {
  it('holds between 1 and the batch limit of runs, and prefixes paths with the run index', () => {
    expect(validateRunBatch({ runs: [SEED] })).toMatchObject({ ok: true });
    expect(paths(issuesOf(validateRunBatch({ runs: [] })))).toEqual(['/runs']);
    expect(paths(issuesOf(validateRunBatch({ runs: [SEED, { ...SEED, duration_ms: 'slow' }] })))).toEqual(['/runs/1/duration_ms']);
    const many = Array.from({ length: MAX_RUNS_PER_BATCH + 1 }, (_, i) => ({ ...SEED, run_id: `r${i}` }));
    expect(issuesOf(validateRunBatch({ runs: many }))[0]).toEqual({ path: '/runs', message: `must have at most ${MAX_RUNS_PER_BATCH} items` });
    expect(paths(issuesOf(validateRunBatch({ runs: [SEED], extra: 1 })))).toEqual(['/extra']);
  });
});

describe('an agent config', () => {
  it("accepts the seed YAML's agent block as JSON", () => {
    const agent = { name: 'customer_support_bot', model: 'gpt-4-turbo', temperature: 0.7, max_iterations: 10, tools: [{ type: 'search_knowledge_base', timeout_ms: 5000 }, { type: 'create_ticket', timeout_ms: 3000 }] };
    expect(validateAgentConfig(agent)).toEqual({ ok: true, value: agent });
  });

  it('names bad tool entries and out-of-range numbers', () => {
    const issues = issuesOf(validateAgentConfig({ name: 'a', temperature: 3, max_iterations: 0, tools: [{ timeout_ms: 0 }] }));
    expect(paths(issues)).toEqual(['/max_iterations', '/temperature', '/tools/0/timeout_ms', '/tools/0/type']);
  });
});

describe('times on the wire', () => {
  it('reads ISO 8601 with a zone and epoch milliseconds', () => {
    expect(parseTime('2024-01-15T09:23:45Z')).toBe(Date.UTC(2024, 0, 15, 9, 23, 45));
    expect(parseTime('2024-01-15T10:23:45.250+01:00')).toBe(Date.UTC(2024, 0, 15, 9, 23, 45, 250));
    expect(parseTime(1_705_310_625_000.9)).toBe(1_705_310_625_000);
  });

  it('refuses times without a zone, outside 2000–2200, or not a time at all', () => {
    for (const bad of ['2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-15T24:00:00Z', '2024-01-15T09:23:45', '1999-12-31T23:59:59Z', '2200-01-02T00:00:00Z', 'yesterday', 946_684_799_999, Number.NaN, true, null]) {
      expect(parseTime(bad), String(bad)).toBeUndefined();
    }
  });
});
