import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VigilServer } from '../../src/app/server.js';
import { auth, makeRun, SEED_PAYLOAD, startTestServer } from '../helpers/test-server.js';

let vigil: VigilServer & { key: string };
const countRuns = () => (vigil.store as unknown as { db: { prepare(s: string): { get(): { n: number } } } }).db
  .prepare('SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM tool_calls) + (SELECT count(*) FROM agents WHERE config IS NOT NULL) AS n').get().n;

beforeEach(async () => {
  vigil = await startTestServer();
});
afterEach(async () => {
  await vigil.close();
});

describe('POST /metrics with the seed payload', () => {
  it('stores the curl example as written and returns it from GET /api/runs/:run_id', async () => {
    const post = await vigil.app.inject({
      method: 'POST', url: '/metrics', payload: SEED_PAYLOAD,
      headers: { ...auth(), 'content-type': 'application/json' },
    });
    expect(post.statusCode).toBe(200);
    expect(post.json()).toEqual({ accepted: 1 });

    const get = await vigil.app.inject({ method: 'GET', url: '/api/runs/uuid-here', headers: auth() });
    expect(get.statusCode).toBe(200);
    const run = get.json();
    expect(run).toMatchObject({
      agent_name: 'customer_support_bot',
      run_id: 'uuid-here',
      duration_ms: 2847,
      iterations: 3,
      tokens_used: 1240,
      completion_status: 'success',
      timestamp: '2024-01-15T09:23:45.000Z',
      ended_at: '2024-01-15T09:23:47.847Z',
    });
    expect(run.tool_calls.map((t: { name: string; status: string }) => [t.name, t.status])).toEqual([
      ['search_knowledge_base', 'success'],
      ['create_ticket', 'success'],
    ]);
  });

  it('accepts an array of runs', async () => {
    const res = await vigil.app.inject({ method: 'POST', url: '/metrics', payload: [makeRun(), makeRun()], headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 2 });
  });

  it('accepts gzip bodies', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify({ runs: [makeRun({ run_id: 'gz-1' })] })));
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/runs', payload: body,
      headers: { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(200);
    expect((await vigil.app.inject({ url: '/api/runs/gz-1', headers: auth() })).statusCode).toBe(200);
  });

  it('fills timestamp from receive time minus duration when it is absent', async () => {
    const before = Date.now();
    await vigil.app.inject({ method: 'POST', url: '/metrics', payload: { run_id: 'no-ts', agent_name: 'a', completion_status: 'success', duration_ms: 5000 }, headers: auth() });
    const run = (await vigil.app.inject({ url: '/api/runs/no-ts', headers: auth() })).json();
    const start = Date.parse(run.timestamp);
    expect(start).toBeGreaterThanOrEqual(before - 5000);
    expect(start).toBeLessThanOrEqual(Date.now() - 5000);
    expect(Date.parse(run.ended_at) - start).toBe(5000);
  });
});

describe('POST /v1/runs', () => {
  it('stores the full model: tokens split, steps, transitions, errors, tags', async () => {
    const run = makeRun({
      run_id: 'full-1',
      completion_status: 'error',
      error: { type: 'RateLimitError', message: 'slow down' },
      session_id: 's-1',
      tags: { tier: 'gold' },
      steps: [
        { model: 'gpt-4o-mini', duration_ms: 400, tokens: { input: 500, output: 100 }, finish_reason: 'tool_calls' },
        { model: 'gpt-4o-mini', duration_ms: 300, tokens: { input: 400, output: 200 }, finish_reason: 'stop' },
      ],
      transitions: [
        { state: 'started', at: 1_700_000_000_000 },
        { state: 'thinking', at: 1_700_000_000_010 },
        { state: 'error', at: 1_700_000_001_000 },
      ],
    });
    const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs: [run] }, headers: auth() });
    expect(res.statusCode).toBe(200);
    const got = (await vigil.app.inject({ url: '/api/runs/full-1', headers: auth() })).json();
    expect(got.tokens).toEqual({ input: 900, output: 300, cached_input: 100, reasoning: 0 });
    expect(got.tokens_used).toBe(1200);
    expect(got.error).toEqual({ type: 'RateLimitError', message: 'slow down' });
    expect(got.steps).toHaveLength(2);
    expect(got.steps[1].finish_reason).toBe('stop');
    expect(got.transitions.map((t: { state: string }) => t.state)).toEqual(['started', 'thinking', 'error']);
    expect(got.transitions[0].at).toBe('2023-11-14T22:13:20.000Z');
    expect(got.tags).toEqual({ tier: 'gold' });
    expect(got.session_id).toBe('s-1');
  });

  it('sums the token split from steps and derives iterations when the run does not give them', async () => {
    const run = { run_id: 'derived', agent_name: 'a', completion_status: 'success', steps: [
      { tokens: { input: 10, output: 5, reasoning: 2 } }, { tokens: { input: 20, output: 7, cached_input: 4 } },
    ] };
    await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs: [run] }, headers: auth() });
    const got = (await vigil.app.inject({ url: '/api/runs/derived', headers: auth() })).json();
    expect(got.iterations).toBe(2);
    expect(got.tokens).toEqual({ input: 30, output: 12, cached_input: 4, reasoning: 2 });
    expect(got.tokens_used).toBe(42);
  });

  it('leaves the cost unknown when a model call that answered reported no usage, and prices failed calls at nothing', async () => {
    const step = (extra: object) => ({ model: 'gpt-4o-mini', ...extra });
    const runs = [
      { run_id: 'no-usage', agent_name: 'a', completion_status: 'success', steps: [step({ tokens: { input: 100, output: 10 } }), step({})] },
      { run_id: 'failed-call', agent_name: 'a', completion_status: 'error', steps: [step({ tokens: { input: 100, output: 10 } }), step({ error: { type: 'APIError' } })] },
    ];
    await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs }, headers: auth() });
    const get = async (id: string) => (await vigil.app.inject({ url: `/api/runs/${id}`, headers: auth() })).json();
    expect((await get('no-usage')).cost_usd).toBeNull();
    expect((await get('failed-call')).cost_usd).toBeGreaterThan(0);
  });

  it('never duplicates a run sent three times; the last write wins', async () => {
    const runs = [makeRun({ run_id: 'idem-1' }), makeRun({ run_id: 'idem-2' }), makeRun({ run_id: 'idem-3' })];
    for (let i = 0; i < 3; i++) {
      const batch = runs.map((r) => ({ ...r, iterations: i + 1 }));
      const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs: batch }, headers: auth() });
      expect(res.statusCode).toBe(200);
    }
    const page = (await vigil.app.inject({ url: '/api/runs?agent_name=support_bot&limit=100', headers: auth() })).json();
    expect(page.runs.map((r: { run_id: string }) => r.run_id).sort()).toEqual(['idem-1', 'idem-2', 'idem-3']);
    expect(page.runs.every((r: { iterations: number }) => r.iterations === 3)).toBe(true);
    const one = (await vigil.app.inject({ url: '/api/runs/idem-1', headers: auth() })).json();
    expect(one.tool_calls).toHaveLength(3);
  });

  it('keeps the last copy when one batch holds the same run_id twice', async () => {
    const a = makeRun({ run_id: 'twice', iterations: 1 });
    const b = { ...a, iterations: 7 };
    const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs: [a, b] }, headers: auth() });
    expect(res.json()).toEqual({ accepted: 1 });
    expect((await vigil.app.inject({ url: '/api/runs/twice', headers: auth() })).json().iterations).toBe(7);
  });
});

describe('POST /v1/agents', () => {
  it('registers the seed YAML agent block', async () => {
    const agent = {
      name: 'customer_support_bot', model: 'gpt-4-turbo', temperature: 0.7, max_iterations: 10,
      tools: [
        { type: 'search_knowledge_base', timeout_ms: 5000 },
        { type: 'create_ticket', timeout_ms: 3000 },
        { type: 'retrieve_order', timeout_ms: 2000 },
      ],
    };
    const res = await vigil.app.inject({ method: 'POST', url: '/v1/agents', payload: agent, headers: auth() });
    expect(res.statusCode).toBe(200);
    const stored = await vigil.store.getAgent(vigil.defaultProject.id, 'customer_support_bot');
    expect(stored?.config).toEqual(agent);
  });
});

// Each bad input: [description, url, body, headers, status, code, path]. The body is sent raw
// when it is a string or Buffer, else as JSON.
type BadCase = [string, string, unknown, Record<string, string>, number, string, string | null];
const json = { 'content-type': 'application/json' };
const long = (n: number) => 'x'.repeat(n);
const badCases: BadCase[] = [
  ['malformed JSON', '/metrics', '{"run_id": ', json, 400, 'INVALID_JSON', null],
  ['an empty body', '/metrics', '', json, 400, 'EMPTY_BODY', null],
  ['a whitespace body', '/metrics', '   \n', json, 400, 'EMPTY_BODY', null],
  ['text/plain', '/metrics', SEED_PAYLOAD, { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE', null],
  ['a form content type', '/metrics', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE', null],
  ['invalid UTF-8', '/metrics', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), json, 400, 'INVALID_UTF8', null],
  ['a corrupt gzip body', '/metrics', Buffer.from('not gzip at all'), { ...json, 'content-encoding': 'gzip' }, 400, 'INVALID_ENCODING', null],
  ['an unsupported content encoding', '/metrics', SEED_PAYLOAD, { ...json, 'content-encoding': 'br' }, 415, 'UNSUPPORTED_ENCODING', null],
  ['a number as body', '/metrics', '42', json, 400, 'VALIDATION_FAILED', ''],
  ['null as body', '/metrics', 'null', json, 400, 'VALIDATION_FAILED', ''],
  ['an empty array', '/metrics', '[]', json, 400, 'VALIDATION_FAILED', ''],
  ['a missing run_id', '/metrics', { agent_name: 'a', completion_status: 'success' }, json, 400, 'VALIDATION_FAILED', '/run_id'],
  ['a missing agent_name', '/metrics', { run_id: 'r', completion_status: 'success' }, json, 400, 'VALIDATION_FAILED', '/agent_name'],
  ['a missing completion_status', '/metrics', { run_id: 'r', agent_name: 'a' }, json, 400, 'VALIDATION_FAILED', '/completion_status'],
  ['an unknown completion_status', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'done' }, json, 400, 'VALIDATION_FAILED', '/completion_status'],
  ['an unknown tool status', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', tool_calls: [{ name: 't', status: 'ok' }] }, json, 400, 'VALIDATION_FAILED', '/tool_calls/0/status'],
  ['a tool call without a name', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', tool_calls: [{ status: 'success' }] }, json, 400, 'VALIDATION_FAILED', '/tool_calls/0/name'],
  ['a negative duration', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', duration_ms: -1 }, json, 400, 'VALIDATION_FAILED', '/duration_ms'],
  ['an infinite duration (1e400)', '/metrics', '{"run_id":"r","agent_name":"a","completion_status":"success","duration_ms":1e400}', json, 400, 'VALIDATION_FAILED', '/duration_ms'],
  ['a duration given as text', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', duration_ms: '2847' }, json, 400, 'VALIDATION_FAILED', '/duration_ms'],
  ['fractional iterations', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', iterations: 1.5 }, json, 400, 'VALIDATION_FAILED', '/iterations'],
  ['negative tokens_used', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', tokens_used: -5 }, json, 400, 'VALIDATION_FAILED', '/tokens_used'],
  ['a token split given as text', '/v1/runs', { runs: [{ run_id: 'r', agent_name: 'a', completion_status: 'success', tokens: { input: '5' } }] }, json, 400, 'VALIDATION_FAILED', '/runs/0/tokens/input'],
  ['a negative cost', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', cost_usd: -0.01 }, json, 400, 'VALIDATION_FAILED', '/cost_usd'],
  ['an empty run_id', '/metrics', { run_id: '', agent_name: 'a', completion_status: 'success' }, json, 400, 'VALIDATION_FAILED', '/run_id'],
  ['an oversized run_id', '/metrics', { run_id: long(300), agent_name: 'a', completion_status: 'success' }, json, 400, 'VALIDATION_FAILED', '/run_id'],
  ['an oversized agent_name', '/metrics', { run_id: 'r', agent_name: long(300), completion_status: 'success' }, json, 400, 'VALIDATION_FAILED', '/agent_name'],
  ['an oversized error message', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'error', error: { message: long(10_000) } }, json, 400, 'VALIDATION_FAILED', '/error/message'],
  ['too many tool calls', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', tool_calls: Array.from({ length: 1001 }, () => ({ name: 't', status: 'success' })) }, json, 400, 'VALIDATION_FAILED', '/tool_calls'],
  ['too many tags', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', tags: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }, json, 400, 'VALIDATION_FAILED', '/tags'],
  ['a __proto__ key', '/metrics', '{"run_id":"r","agent_name":"a","completion_status":"success","__proto__":{"admin":true}}', json, 400, 'VALIDATION_FAILED', '/__proto__'],
  ['a constructor key in tags', '/metrics', '{"run_id":"r","agent_name":"a","completion_status":"success","tags":{"constructor":"x"}}', json, 400, 'VALIDATION_FAILED', '/tags/constructor'],
  ['a NUL character in agent_name', '/metrics', '{"run_id":"r","agent_name":"a\\u0000b","completion_status":"success"}', json, 400, 'VALIDATION_FAILED', '/agent_name'],
  ['a NUL character in a tool error message', '/v1/runs', { runs: [makeRun({ tool_calls: [{ name: 't', status: 'error', error: { message: 'bad\u0000' } }] })] }, json, 400, 'VALIDATION_FAILED', '/runs/0/tool_calls/0/error/message'],
  ['an unknown field', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', agent: 'typo' }, json, 400, 'VALIDATION_FAILED', '/agent'],
  ['a timestamp that is not a time', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', timestamp: 'yesterday' }, json, 400, 'VALIDATION_FAILED', '/timestamp'],
  ['a timestamp without a zone', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', timestamp: '2024-01-15T09:23:45' }, json, 400, 'VALIDATION_FAILED', '/timestamp'],
  ['an epoch timestamp in seconds, not ms', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', timestamp: 1_705_310_625 }, json, 400, 'VALIDATION_FAILED', '/timestamp'],
  ['ended_at before timestamp', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', timestamp: '2024-01-15T09:23:45Z', ended_at: '2024-01-15T09:00:00Z' }, json, 400, 'VALIDATION_FAILED', '/ended_at'],
  ['one bad run among good ones', '/metrics', [makeRun(), { ...makeRun(), completion_status: 'maybe' }], json, 400, 'VALIDATION_FAILED', '/1/completion_status'],
  ['a batch without runs', '/v1/runs', { data: [] }, json, 400, 'VALIDATION_FAILED', '/runs'],
  ['a batch with an empty runs array', '/v1/runs', { runs: [] }, json, 400, 'VALIDATION_FAILED', '/runs'],
  ['a batch whose fourth run has a bad tool status', '/v1/runs', { runs: [makeRun(), makeRun(), makeRun(), makeRun({ tool_calls: [{ name: 't', status: 'hung' }] })] }, json, 400, 'VALIDATION_FAILED', '/runs/3/tool_calls/0/status'],
  ['a bare array on the batch path', '/v1/runs', [makeRun()], json, 400, 'VALIDATION_FAILED', ''],
  ['an agent without a name', '/v1/agents', { model: 'gpt-4o' }, json, 400, 'VALIDATION_FAILED', '/name'],
  ['an agent tool with a negative timeout', '/v1/agents', { name: 'a', tools: [{ type: 't', timeout_ms: -1 }] }, json, 400, 'VALIDATION_FAILED', '/tools/0/timeout_ms'],
  ['JSON nested 10,000 levels deep on /metrics', '/metrics', `{"run_id":"r","agent_name":"a","completion_status":"success","tags":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, json, 400, 'VALIDATION_FAILED', '/tags/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0'],
  ['JSON nested 10,000 levels deep on /v1/runs', '/v1/runs', `{"runs":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, json, 400, 'VALIDATION_FAILED', null],
  ['an impossible date (30 February)', '/metrics', { run_id: 'r', agent_name: 'a', completion_status: 'success', timestamp: '2024-02-30T00:00:00Z' }, json, 400, 'VALIDATION_FAILED', '/timestamp'],
  ['an impossible hour in a tool start', '/v1/runs', { runs: [makeRun({ tool_calls: [{ name: 't', status: 'success', started_at: '2024-01-15T24:00:00Z' }] })] }, json, 400, 'VALIDATION_FAILED', '/runs/0/tool_calls/0/started_at'],
  ['a lone UTF-16 surrogate in agent_name', '/metrics', '{"run_id":"r","agent_name":"bot\\ud800","completion_status":"success"}', json, 400, 'VALIDATION_FAILED', '/agent_name'],
  ['a lone UTF-16 surrogate in a tag key', '/metrics', '{"run_id":"r","agent_name":"a","completion_status":"success","tags":{"\\udc00":"v"}}', json, 400, 'VALIDATION_FAILED', '/tags/\udc00'],
  ['a charset other than UTF-8', '/metrics', SEED_PAYLOAD, { 'content-type': 'application/json; charset=iso-8859-1' }, 415, 'UNSUPPORTED_MEDIA_TYPE', null],
  ['an agent with max_iterations 0', '/v1/agents', { name: 'a', max_iterations: 0 }, json, 400, 'VALIDATION_FAILED', '/max_iterations'],
];

describe('bad input', () => {
  it.each(badCases)('rejects %s with the named field and stores nothing', async (_name, url, body, headers, status, code, path) => {
    const before = countRuns();
    const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const res = await vigil.app.inject({ method: 'POST', url, payload, headers: { ...auth(), ...headers } });
    expect(res.statusCode).toBe(status);
    const err = res.json().error;
    expect(err.code).toBe(code);
    expect(typeof err.message).toBe('string');
    expect(res.body).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
    if (path !== null) expect(err.details.map((d: { path: string }) => d.path)).toContain(path);
    if (path) expect(err.message).toContain(path);
    expect(countRuns()).toBe(before);
  });

  it('rejects a body over the 5 MiB limit with 413, also when it arrives gzipped', async () => {
    const huge = JSON.stringify({ runs: [makeRun({ error: { message: 'x' } }), { pad: long(6 * 1024 * 1024) }] });
    const plain = await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: huge, headers: { ...auth(), ...json } });
    expect(plain.statusCode).toBe(413);
    expect(plain.json().error.code).toBe('BODY_TOO_LARGE');
    const zipped = await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: gzipSync(huge), headers: { ...auth(), ...json, 'content-encoding': 'gzip' } });
    expect(zipped.statusCode).toBe(413);
    expect(countRuns()).toBe(0);
  });

  it('honours a configured body limit', async () => {
    await vigil.close();
    const { parseConfig } = await import('../../src/config/vigil-config.js');
    const { readYamlSource } = await import('../../src/config/yaml-source.js');
    vigil = await startTestServer({ config: parseConfig(readYamlSource('vigil.yaml', 'limits:\n  body_limit: 1KiB\n')) });
    const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs: [makeRun({ error: { message: long(2000) } })] }, headers: auth() });
    expect(res.statusCode).toBe(413);
  });
});

describe('auth', () => {
  it('answers 401 without a key and with an unknown key', async () => {
    const none = await vigil.app.inject({ method: 'POST', url: '/metrics', payload: SEED_PAYLOAD, headers: json });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHORIZED');
    const wrong = await vigil.app.inject({ method: 'GET', url: '/api/runs', headers: auth('vgl_not_a_key') });
    expect(wrong.statusCode).toBe(401);
  });

  it('answers 403 for a key without the scope', async () => {
    const { key: ingestOnly } = await vigil.store.createApiKey({ projectId: vigil.defaultProject.id, name: 'sdk', scopes: ['ingest'] });
    const { key: readOnly } = await vigil.store.createApiKey({ projectId: vigil.defaultProject.id, name: 'grafana', scopes: ['read'] });
    const post = await vigil.app.inject({ method: 'POST', url: '/metrics', payload: SEED_PAYLOAD, headers: { ...auth(readOnly), ...json } });
    expect(post.statusCode).toBe(403);
    expect(post.json().error.code).toBe('FORBIDDEN');
    const read = await vigil.app.inject({ method: 'GET', url: '/api/runs', headers: auth(ingestOnly) });
    expect(read.statusCode).toBe(403);
    expect((await vigil.app.inject({ method: 'POST', url: '/metrics', payload: SEED_PAYLOAD, headers: { ...auth(ingestOnly), ...json } })).statusCode).toBe(200);
  });

  it('keeps projects apart: a key of another project sees nothing of this one', async () => {
    await vigil.app.inject({ method: 'POST', url: '/metrics', payload: SEED_PAYLOAD, headers: { ...auth(), ...json } });
    const other = await vigil.store.ensureProject('other');
    const { key } = await vigil.store.createApiKey({ projectId: other.id, name: 'other', scopes: ['read', 'ingest'] });
    expect((await vigil.app.inject({ url: '/api/runs/uuid-here', headers: auth(key) })).statusCode).toBe(404);
    const list = await vigil.app.inject({ url: '/api/runs?from=2024-01-01T00:00:00Z&to=2024-02-01T00:00:00Z', headers: auth(key) });
    expect(list.json().runs).toEqual([]);
    // The same run_id in the other project is a different run.
    await vigil.app.inject({ method: 'POST', url: '/metrics', payload: { run_id: 'uuid-here', agent_name: 'theirs', completion_status: 'error' }, headers: auth(key) });
    expect((await vigil.app.inject({ url: '/api/runs/uuid-here', headers: auth() })).json().agent_name).toBe('customer_support_bot');
    expect((await vigil.app.inject({ url: '/api/runs/uuid-here', headers: auth(key) })).json().agent_name).toBe('theirs');
  });

  it('stops accepting a revoked key', async () => {
    const { key, record } = await vigil.store.createApiKey({ projectId: vigil.defaultProject.id, name: 'tmp', scopes: ['read'] });
    expect((await vigil.app.inject({ url: '/api/runs', headers: auth(key) })).statusCode).toBe(200);
    await vigil.store.revokeApiKey(record.id);
    vigil.auth.forget();
    expect((await vigil.app.inject({ url: '/api/runs', headers: auth(key) })).statusCode).toBe(401);
  });

  it('leaves health probes open', async () => {
    expect((await vigil.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await vigil.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', store: 'sqlite' });
  });
});
