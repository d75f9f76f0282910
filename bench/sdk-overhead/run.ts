// SDK overhead: the same chat.completions.create calls through a bare openai client and through
// monitorOpenAI(), against the local fake model server, in one process. Prints the median
// per-call wall-time ratio (goal <= 1.03) and the CPU the SDK adds per call, in µs.
//
//   npx tsx bench/sdk-overhead/run.ts [--calls 10000] [--block 10]
//
// The fake model server and a Vigil ingest sink run in a child process, so this process's CPU
// time is the client's plus the SDK's (recording, batching, gzip, export). Calls are made outside
// vigil.run(), so every call is a whole run to build, encode and export: the SDK's worst case.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { startFakeModelServer, text } from '../../examples/fake-model/index.js';
import { configure, flush, monitorOpenAI, shutdown, stats } from '../../packages/sdk/src/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

if (process.argv.includes('--serve')) {
  // Child: the fake model and a sink that acknowledges /v1/runs like Vigil does.
  const fake = await startFakeModelServer({ defaultReply: text('pong', { usage: { input: 12, output: 3 } }), recordRequests: false });
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"accepted":1}');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  process.send?.({ model: fake.baseURL, sink: `http://127.0.0.1:${(sink.address() as AddressInfo).port}` });
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

async function main(): Promise<void> {
  const CALLS = arg('calls', 10_000);
  const BLOCK = arg('block', 10);
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const urls = await new Promise<{ model: string; sink: string }>((resolve) => child.once('message', (m) => resolve(m as { model: string; sink: string })));

  configure({ endpoint: urls.sink, apiKey: 'bench', logLevel: 'warn', flushOnExit: false });
  const bare = new OpenAI({ baseURL: urls.model, apiKey: 'sk-bench', maxRetries: 0 });
  const wrapped = monitorOpenAI(new OpenAI({ baseURL: urls.model, apiKey: 'sk-bench', maxRetries: 0 }), { agent: 'bench_bot' });
  const request = { model: 'gpt-4-turbo', messages: [{ role: 'user' as const, content: 'ping' }] };
  type Mode = 'bare' | 'wrapped';

  // One loop per mode, so each call site stays monomorphic and neither mode pays for the other's shape.
  async function callsBare(n: number, latencies?: number[]): Promise<void> {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await bare.chat.completions.create(request);
      if (r.choices[0]?.message.content !== 'pong') throw new Error('unexpected answer');
      latencies?.push(performance.now() - t0);
    }
  }
  async function callsWrapped(n: number, latencies?: number[]): Promise<void> {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await wrapped.chat.completions.create(request);
      if (r.choices[0]?.message.content !== 'pong') throw new Error('unexpected answer');
      latencies?.push(performance.now() - t0);
    }
  }
  const calls = (mode: Mode, n: number, latencies?: number[]) => (mode === 'bare' ? callsBare(n, latencies) : callsWrapped(n, latencies));

  // Warm up both paths (JIT, sockets, the exporter's first batches).
  await calls('bare', 1_000);
  await calls('wrapped', 1_000);
  await flush();

  // Pass 1, latency: small blocks in A B B A order, so load from other processes, GC and CPU
  // frequency changes hit both modes alike. The SDK's deferred work (building and exporting runs)
  // happens where it would in an agent: off the call's path.
  const latencies: Record<Mode, number[]> = { bare: [], wrapped: [] };
  for (let b = 0; latencies.wrapped.length < CALLS; b++) {
    const order: Mode[] = b % 2 === 0 ? ['bare', 'wrapped'] : ['wrapped', 'bare'];
    for (const mode of order) await calls(mode, BLOCK, latencies[mode]);
  }

  // Pass 2, CPU: rounds of two phases (order alternating); each wrapped phase ends with flush()
  // inside its measurement, so all of the SDK's work (recording, encoding, gzip, HTTP export) is
  // counted. The spread of the per-round differences shows how much other processes add noise.
  const ROUNDS = 10;
  const PHASE = Math.ceil(CALLS / ROUNDS);
  const cpuUs: Record<Mode, number> = { bare: 0, wrapped: 0 };
  const addedPerRound: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round: Record<Mode, number> = { bare: 0, wrapped: 0 };
    for (const mode of (r % 2 === 0 ? ['bare', 'wrapped'] : ['wrapped', 'bare']) as Mode[]) {
      const c0 = process.cpuUsage();
      await calls(mode, PHASE);
      if (mode === 'wrapped') await flush();
      const c = process.cpuUsage(c0);
      round[mode] = c.user + c.system;
      cpuUs[mode] += round[mode];
    }
    addedPerRound.push((round.wrapped - round.bare) / PHASE);
  }
  // Pass 3, CPU without the network: both clients get the fake server's answer from an in-process
  // fetch, so the per-call CPU is the client's and the SDK's alone (the SDK still exports to the sink).
  const canned = await (await fetch(`${urls.model}/chat/completions`, { method: 'POST', body: JSON.stringify(request) })).text();
  const cannedFetch = async () => new Response(canned, { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req_canned' } });
  const stubBare = new OpenAI({ baseURL: urls.model, apiKey: 'sk-bench', maxRetries: 0, fetch: cannedFetch });
  const stubWrapped = monitorOpenAI(new OpenAI({ baseURL: urls.model, apiKey: 'sk-bench', maxRetries: 0, fetch: cannedFetch }), { agent: 'bench_bot' });
  const stubCpu: Record<Mode, number> = { bare: 0, wrapped: 0 };
  const stubCalls = async (mode: Mode, n: number) => {
    const client = mode === 'bare' ? stubBare : stubWrapped;
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await client.chat.completions.create(request);
    if (mode === 'wrapped') await flush();
    const c = process.cpuUsage(c0);
    return c.user + c.system;
  };
  await stubCalls('bare', 1_000);
  await stubCalls('wrapped', 1_000);
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of (r % 2 === 0 ? ['bare', 'wrapped'] : ['wrapped', 'bare']) as Mode[]) stubCpu[mode] += await stubCalls(mode, PHASE);
  }

  await shutdown(10_000);
  child.disconnect();

  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const medBare = median(latencies.bare);
  const medWrapped = median(latencies.wrapped);
  const ratio = medWrapped / medBare;
  const n2 = PHASE * ROUNDS;
  const s = stats();
  const out = {
    calls_per_mode: latencies.wrapped.length,
    median_ms: { bare: +medBare.toFixed(4), wrapped: +medWrapped.toFixed(4) },
    median_wall_time_ratio: +ratio.toFixed(4),
    cpu_calls_per_mode: n2,
    cpu_us_per_call: { bare: +(cpuUs.bare / n2).toFixed(1), wrapped: +(cpuUs.wrapped / n2).toFixed(1) },
    added_cpu_us_per_call: +((cpuUs.wrapped - cpuUs.bare) / n2).toFixed(1),
    added_cpu_us_per_round: { median: +median(addedPerRound).toFixed(1), min: +Math.min(...addedPerRound).toFixed(1), max: +Math.max(...addedPerRound).toFixed(1) },
    no_network_cpu_us_per_call: { bare: +(stubCpu.bare / n2).toFixed(1), wrapped: +(stubCpu.wrapped / n2).toFixed(1) },
    no_network_added_cpu_us_per_call: +((stubCpu.wrapped - stubCpu.bare) / n2).toFixed(1),
    runs_exported: s.sent,
    runs_dropped: s.dropped,
    node: process.version,
  };
  console.log(JSON.stringify(out, null, 2));
  console.log(`median wall-time ratio ${out.median_wall_time_ratio} (goal <= 1.03): ${ratio <= 1.03 ? 'PASS' : 'FAIL'}; added CPU ${out.added_cpu_us_per_call} µs per call (${out.no_network_added_cpu_us_per_call} µs without the network)`);
}
