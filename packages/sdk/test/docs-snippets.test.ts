// Runs the snippets of docs/sdk.md marked "runs as written", unchanged, as separate processes
// against the fake model server (through OPENAI_BASE_URL) and a real Vigil server.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModelServer, text, toolCalls, type FakeModelServer, type FakeRequest } from '../../../examples/fake-model/index.js';
import { API_KEY, startVigil, type TestVigil } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const docs = readFileSync(join(root, 'docs/sdk.md'), 'utf8');
// Inside the package, so `@vigil/sdk`, `openai` and `@openai/agents` resolve as for a user.
const workDir = join(root, 'packages/sdk/test-artifacts/docs-snippets');

/** The fenced block right after `<!-- marker: name ... -->`. */
function block(marker: 'snippet' | 'file', name: string): string {
  const re = new RegExp(`<!-- ${marker}: ${name.replace('.', '\\.')}[^>]*-->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``);
  const m = re.exec(docs);
  if (!m?.[1]) throw new Error(`docs/sdk.md has no ${marker} ${name}`);
  return m[1];
}

/** Answers like a model with one tool call, then a final text once a tool result is in the input. */
function modelLike(req: FakeRequest) {
  const body = req.body as { tools?: unknown[]; messages?: Array<{ role: string }>; input?: unknown };
  const hasToolResult =
    req.endpoint === 'chat.completions'
      ? (body.messages ?? []).some((m) => m.role === 'tool')
      : Array.isArray(body.input) && body.input.some((i) => (i as { type?: string }).type === 'function_call_output');
  if (body.tools?.length && !hasToolResult) return toolCalls([{ name: 'retrieve_order', arguments: { order_id: '42' } }], { usage: { input: 50, output: 10 } });
  return text('Order 42 shipped yesterday.', { usage: { input: 80, output: 8 } });
}

let vigil: TestVigil;
let fake: FakeModelServer;

beforeAll(async () => {
  vigil = await startVigil();
  fake = await startFakeModelServer({ handler: modelLike });
  // The snippets import the built package, as users do.
  execFileSync('npx', ['tsc', '-b', 'packages/sdk'], { cwd: root, stdio: 'inherit' });
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  writeFileSync(join(workDir, 'agent_config.yaml'), `${block('file', 'agent_config.yaml')}\n`);
}, 120_000);
afterAll(async () => {
  await fake.close();
  await vigil.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** Async: the model and Vigil servers live in this process and must keep answering. */
async function runSnippet(name: string): Promise<string> {
  const file = join(workDir, `${name}.ts`);
  writeFileSync(file, block('snippet', name));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
    cwd: workDir,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: fake.baseURL,
      VIGIL_ENDPOINT: vigil.endpoint,
      VIGIL_API_KEY: API_KEY,
    },
  });
  return stdout;
}

async function runsOf(agent: string) {
  const listed = await vigil.listRuns(agent);
  return Promise.all(listed.map(async (r) => (await vigil.getRun(r.run_id))!));
}

describe('docs/sdk.md snippets run as written', () => {
  it('the OpenAI client setup records the call', async () => {
    const before = (await runsOf('customer_support_bot')).length;
    expect(await runSnippet('openai-client')).toContain('Order 42 shipped yesterday.');
    const runs = await runsOf('customer_support_bot');
    expect(runs).toHaveLength(before + 1);
  }, 60_000);

  it('the Agents SDK setup records the agent run with its tool call', async () => {
    const before = new Set((await runsOf('customer_support_bot')).map((r) => r.run_id));
    expect(await runSnippet('agents-sdk')).toContain('Order 42 shipped yesterday.');
    const fresh = (await runsOf('customer_support_bot')).filter((r) => !before.has(r.run_id));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ completion_status: 'success', iterations: 2 });
    expect(fresh[0]!.tool_calls.map((t) => [t.name, t.status])).toEqual([['retrieve_order', 'success']]);
  }, 60_000);

  it('the hand-written MonitoredAgent loop records iterations and tools from the seed YAML', async () => {
    const before = new Set((await runsOf('customer_support_bot')).map((r) => r.run_id));
    expect(await runSnippet('monitored-agent')).toContain('Order 42 shipped yesterday.');
    const fresh = (await runsOf('customer_support_bot')).filter((r) => !before.has(r.run_id));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ completion_status: 'success', iterations: 2, tokens_used: 148 });
    expect(fresh[0]!.tool_calls.map((t) => [t.name, t.status])).toEqual([['retrieve_order', 'success']]);
  }, 60_000);
});
