// Test helpers for alerting: runs from a one-line sequence, a real HTTP receiver that records or
// misbehaves, and a Vigil server with alerting that tests step through time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunRecord, ToolCallRecord } from '@vigil/protocol';
import { parseAlertingConfig, type AlertingConfig } from '../../src/alerting/alerting-config.js';
import { parseConfig } from '../../src/config/vigil-config.js';
import { readYamlSource } from '../../src/config/yaml-source.js';
import { createVigilServer, type VigilServer } from '../../src/app/server.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
/** 2026-11-20T00:00:00Z: fixed, so tests never depend on today. */
export const T0 = Date.UTC(2026, 10, 20);

let seq = 0;

function call(name: string, status: ToolCallRecord['status'], at: number, extra: Partial<ToolCallRecord> = {}): ToolCallRecord {
  return { name, status, duration_ms: status === 'timeout' ? 30_000 : 150, started_at: at, call_id: null, args_hash: `${name}-${at}`, error: null, arguments: null, ...extra };
}

/** A complete run; every field overridable. */
export function run(agent: string, at: number, overrides: Partial<RunRecord> = {}): RunRecord {
  seq++;
  const duration = overrides.duration_ms ?? 1_000;
  return {
    run_id: `${agent}-${seq}`, agent_name: agent, timestamp: at, ended_at: at + duration, duration_ms: duration, iterations: 3,
    tokens_used: 1_000, tokens: { input: 700, output: 300, cached_input: 0, reasoning: 0 }, model: 'gpt-4o-mini',
    completion_status: 'success', error: null, cost_usd: 0.001, environment: null, release: null, session_id: null, user_id: null,
    tags: {}, tool_calls: [call('search_kb', 'success', at + 10)], steps: [], transitions: [], sampled: true, received_at: at + duration,
    ...overrides,
  };
}

/**
 * Runs from a one-line sequence, one token per run, `stepMs` apart (default one minute):
 * ok · error (create_ticket errors) · timeout (create_ticket times out, the run errors) · iter
 * (iteration_limit) · loop (search_kb 4× with the same arguments) · slow (3× duration) · big (20× tokens).
 */
export function runsFromLine(agent: string, line: string, start: number, stepMs = MINUTE): RunRecord[] {
  return line.trim().split(/\s+/).map((token, i) => {
    const at = start + i * stepMs;
    switch (token) {
      case 'ok': return run(agent, at);
      case 'error': return run(agent, at, { completion_status: 'error', error: { type: 'ToolError' }, tool_calls: [call('search_kb', 'success', at + 10), call('create_ticket', 'error', at + 20)] });
      case 'timeout': return run(agent, at, { completion_status: 'error', error: { type: 'ToolTimeout' }, tool_calls: [call('search_kb', 'success', at + 10), call('create_ticket', 'timeout', at + 20)] });
      case 'iter': return run(agent, at, { completion_status: 'iteration_limit', iterations: 10, tool_calls: [call('search_kb', 'success', at + 10), call('search_kb', 'success', at + 20)] });
      case 'loop': return run(agent, at, { tool_calls: [0, 1, 2, 3].map((k) => call('search_kb', 'success', at + 10 + k, { args_hash: 'same-args' })) });
      case 'slow': return run(agent, at, { duration_ms: 3_000, tool_calls: [call('search_kb', 'success', at + 10, { duration_ms: 2_500 })] });
      case 'big': return run(agent, at, { tokens_used: 20_000, tokens: { input: 15_000, output: 5_000, cached_input: 0, reasoning: 0 } });
      default: throw new Error(`unknown run token '${token}'`);
    }
  });
}

/** `count` runs of `token`, spread evenly over [start, start + spanMs). */
export function spread(agent: string, token: string, count: number, start: number, spanMs: number): RunRecord[] {
  return runsFromLine(agent, Array(count).fill(token).join(' '), start, spanMs / count);
}

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** How the next requests are answered; default 200. */
  behave(fn: (req: Received, n: number) => { status: number; headers?: Record<string, string> } | 'hang'): void;
  close(): Promise<void>;
}

/** A real HTTP receiver on port 0 that records every POST and answers as told. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let behaviour: Parameters<Receiver['behave']>[0] = () => ({ status: 200 });
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const r: Received = { path: req.url ?? '', headers: req.headers, body: text ? (JSON.parse(text) as unknown) : null, at: Date.now() };
      received.push(r);
      const answer = behaviour(r, received.length);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    behave(fn) {
      behaviour = fn;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Alerting config from YAML text (the same parser vigil.yaml goes through). */
export function alertingFromYaml(yaml: string): { vigil: ReturnType<typeof parseConfig>; alerting: AlertingConfig } {
  const vigil = parseConfig(readYamlSource('vigil.yaml', yaml));
  return { vigil, alerting: parseAlertingConfig(vigil) };
}

/** A server whose evaluator is stepped by the test; notifications retry quickly. */
export async function alertingServer(yaml: string, db = ':memory:'): Promise<VigilServer & { projectId: number }> {
  const { vigil } = alertingFromYaml(yaml);
  const server = await createVigilServer({
    db, config: vigil, apiKeys: ['vgl_alert_test_key'], logger: false,
    alerting: { start: false, retry: { initialBackoffMs: 10, maxBackoffMs: 50, deadlineMs: 2_000 } },
  });
  return Object.assign(server, { projectId: server.defaultProject.id });
}

export const KEY = 'vgl_alert_test_key';

/** Evaluates at each time in turn and lets notifications go out after each step. */
export async function stepThrough(server: VigilServer, times: number[]): Promise<void> {
  for (const t of times) {
    await server.alerting.evaluator.evaluateOnce(t);
    await server.alerting.notifier.idle();
  }
}

export const steps = (from: number, to: number, stepMs: number): number[] => {
  const out: number[] = [];
  for (let t = from; t <= to; t += stepMs) out.push(t);
  return out;
};
