// The seed's agent_config.yaml, read exactly, and what each `monitoring:` setting does end to end.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModelServer, text, toolCalls, type FakeModelServer } from '../../../examples/fake-model/index.js';
import { flush, loadAgentConfig, monitorOpenAI, parseAgentConfig, run, stats, VigilConfigError, VigilToolTimeoutError } from '../src/index.js';
import { API_KEY, configureFor, resetSdk } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

const SEED_YAML = fileURLToPath(new URL('./fixtures/agent_config.yaml', import.meta.url));

let fake: FakeModelServer;
let receiver: Receiver;
beforeAll(async () => {
  fake = await startFakeModelServer();
  receiver = await startReceiver();
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
});
afterEach(async () => {
  await resetSdk();
  receiver.requests.length = 0;
  receiver.acceptedRunIds.length = 0;
});

function yamlWith(monitoring: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-yaml-'));
  const path = join(dir, 'agent_config.yaml');
  writeFileSync(path, `agent:\n  name: yaml_bot\n  max_iterations: 5\n  tools:\n    - type: slow_tool\n      timeout_ms: 30\nmonitoring:\n${monitoring}`);
  return path;
}

const openai = () => monitorOpenAI(new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk', maxRetries: 0 }), { agent: 'yaml_bot' });

describe('parseAgentConfig', () => {
  it('reads the seed YAML exactly', () => {
    const cfg = loadAgentConfig(SEED_YAML);
    expect(cfg).toEqual({
      agent: {
        name: 'customer_support_bot',
        model: 'gpt-4-turbo',
        temperature: 0.7,
        max_iterations: 10,
        tools: [
          { type: 'search_knowledge_base', timeout_ms: 5000 },
          { type: 'create_ticket', timeout_ms: 3000 },
          { type: 'retrieve_order', timeout_ms: 2000 },
        ],
      },
      monitoring: { enabled: true, log_level: 'INFO', export_metrics: true, trace_sampling_rate: 1.0 },
    });
  });

  it('throws VigilConfigError without an agent name, and ignores single bad values with a warning', () => {
    expect(() => parseAgentConfig('monitoring:\n  enabled: true\n', 'x.yaml')).toThrow(VigilConfigError);
    expect(() => parseAgentConfig('agent: [', 'x.yaml')).toThrow(VigilConfigError);
    expect(() => loadAgentConfig('/nonexistent/agent_config.yaml')).toThrow(VigilConfigError);
    const warnings: string[] = [];
    const cfg = parseAgentConfig('agent:\n  name: a\n  max_iterations: many\n  color: red\n', 'x.yaml', (m) => warnings.push(m));
    expect(cfg.agent).toEqual({ name: 'a' });
    expect(warnings).toHaveLength(2);
  });
});

describe('loadAgentConfig applied', () => {
  it('registers the agent with the server once', async () => {
    configureFor(receiver.url);
    loadAgentConfig(SEED_YAML);
    configureFor(receiver.url);
    await run('customer_support_bot', () => 'ok');
    await run('customer_support_bot', () => 'ok');
    await flush();
    const registrations = receiver.requests.filter((r) => r.url === '/v1/agents');
    expect(registrations).toHaveLength(1);
    expect(registrations[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(registrations[0]!.body).toMatchObject({ name: 'customer_support_bot', max_iterations: 10, tools: [{ type: 'search_knowledge_base', timeout_ms: 5000 }, {}, {}] });
  });

  it('enforces the declared timeout_ms in run.tool()', async () => {
    loadAgentConfig(yamlWith('  enabled: true\n'));
    configureFor(receiver.url);
    const err = await run('yaml_bot', (r) => r.tool('slow_tool', () => new Promise((res) => setTimeout(res, 500)))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VigilToolTimeoutError);
    await flush();
    const sent = receiver.requests.find((r) => r.url === '/v1/runs')!.body as { runs: Array<{ completion_status: string; tool_calls: Array<{ status: string }> }> };
    expect(sent.runs[0]!.completion_status).toBe('timeout');
    expect(sent.runs[0]!.tool_calls[0]!.status).toBe('timeout');
  });

  it('monitoring.enabled: false makes everything a pass-through no-op', async () => {
    loadAgentConfig(yamlWith('  enabled: false\n'));
    configureFor(receiver.url);
    fake.enqueue(text('hello'));
    const answer = await run('yaml_bot', async (r) => {
      const c = await openai().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      return `${c.choices[0]!.message.content} ${await r.tool('slow_tool', async () => 'tool ran')}`;
    });
    expect(answer).toBe('hello tool ran');
    await flush();
    expect(receiver.requests).toEqual([]);
    expect(stats().sent).toBe(0);
  });

  it('export_metrics: false records nothing remotely', async () => {
    loadAgentConfig(yamlWith('  export_metrics: false\n'));
    configureFor(receiver.url);
    fake.enqueue(text('hi'));
    await openai().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await run('yaml_bot', () => 'done');
    await flush();
    expect(receiver.requests).toEqual([]);
  });

  it('trace_sampling_rate: 0 still sends every run summary but no detail', async () => {
    loadAgentConfig(yamlWith('  trace_sampling_rate: 0\n'));
    configureFor(receiver.url);
    fake.enqueue(toolCalls([{ name: 'slow_tool', arguments: {} }], { usage: { input: 5, output: 1 } }), text('x', { usage: { input: 7, output: 2 } }));
    for (let i = 0; i < 3; i++) {
      await run('yaml_bot', async (r) => {
        if (i === 0) {
          await openai().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
          await r.tool('slow_tool', async () => 'fast');
          await openai().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
        }
      });
    }
    await flush();
    const runs = receiver.requests.filter((r) => r.url === '/v1/runs').flatMap((r) => (r.body as { runs: Array<Record<string, unknown>> }).runs);
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.sampled === false && r.steps === undefined && r.transitions === undefined)).toBe(true);
    expect(runs[0]).toMatchObject({ iterations: 2, tokens_used: 15, tool_calls: [{ name: 'slow_tool', status: 'success' }] });
  });

  it('log_level controls the SDK’s own logging', async () => {
    const lines: string[] = [];
    loadAgentConfig(yamlWith('  log_level: DEBUG\n'));
    configureFor(receiver.url, { logLevel: undefined, logger: (level, m) => lines.push(`${level} ${m}`) });
    await run('yaml_bot', () => 'x');
    await flush();
    expect(lines.some((l) => l.startsWith('debug'))).toBe(true);

    lines.length = 0;
    loadAgentConfig(yamlWith('  log_level: ERROR\n'));
    configureFor('http://127.0.0.1:1', { logLevel: undefined, logger: (level, m) => lines.push(`${level} ${m}`), exportTimeoutMs: 100 });
    await run('yaml_bot', () => 'x');
    await flush(300);
    expect(lines.filter((l) => !l.startsWith('error'))).toEqual([]);
  });
});

describe('content capture', () => {
  it('sends no tool arguments unless captureContent is on, and then only through redact', async () => {
    configureFor(receiver.url, { captureContent: true, redact: (content, ctx) => (ctx.toolName === 'secret' ? undefined : content.replace(/\d{4}-\d{4}/g, '[card]')) });
    await run('capture_bot', async (r) => {
      await r.tool('pay', async () => 'ok', { card: '1234-5678', amount: 3 });
      await r.tool('secret', async () => 'ok', { password: 'hunter2' });
    });
    configureFor(receiver.url);
    await run('capture_bot', (r) => r.tool('pay', async () => 'ok', { card: '1234-5678' }));
    await flush();
    const runs = receiver.requests.filter((r) => r.url === '/v1/runs').flatMap((r) => (r.body as { runs: Array<{ tool_calls: Array<{ arguments?: string; args_hash?: string }> }> }).runs);
    expect(runs[0]!.tool_calls.map((t) => t.arguments)).toEqual(['{"amount":3,"card":"[card]"}', undefined]);
    expect(runs[1]!.tool_calls[0]!.arguments).toBeUndefined();
    expect(runs[1]!.tool_calls[0]!.args_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(receiver.requests.map((r) => r.body))).not.toContain('hunter2');
  });
});
