// Single-run ingest: the seed payload on POST /metrics with 50 concurrent connections and durable
// acknowledgements, against a bare Node http server that only parses the JSON (same load, same
// script). Prints throughput ratio and Vigil's latency percentiles.
// Run: npm run build && npx tsx bench/ingest/single-run.ts [seconds]
import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/child.js';
import { BENCH_KEY, startVigil } from '../lib/vigil-child.js';

const DURATION_S = Number(process.argv[2] ?? 10);
const CONNECTIONS = 50;

let seq = 0;
const seedPayload = () => JSON.stringify({
  agent_name: 'customer_support_bot',
  run_id: `bench-${process.pid}-${seq++}`,
  duration_ms: 2847,
  iterations: 3,
  tokens_used: 1240,
  tool_calls: [
    { name: 'search_knowledge_base', status: 'success' },
    { name: 'create_ticket', status: 'success' },
  ],
  completion_status: 'success',
  timestamp: new Date().toISOString(),
});

async function load(url: string) {
  const result = await autocannon({
    url: `${url}/metrics`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
    // A fresh run_id per request: the new-run path, not the replace path.
    requests: [{ setupRequest: (req) => ({ ...req, body: seedPayload() }) }],
  });
  const ok = result['2xx'];
  return { rps: ok / DURATION_S, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors };
}

const bare = await startChild([process.execPath, '--import', 'tsx', fileURLToPath(new URL('../lib/bare-server.ts', import.meta.url))], /listening on (http:\/\/\S+)/);
await load(bare.url); // warm-up pass, not measured
const baseline = await load(bare.url);
await bare.stop();

const vigil = await startVigil();
await load(vigil.url);
const measured = await load(vigil.url);
await vigil.stop();

console.log(`bare http server : ${baseline.rps.toFixed(0)} req/s, p50 ${baseline.p50} ms, p99 ${baseline.p99} ms`);
console.log(`vigil POST /metrics: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, non-2xx ${measured.errors}`);
console.log(`throughput ratio (vigil / bare): ${(measured.rps / baseline.rps).toFixed(2)}  (goal >= 0.5; p99 goal <= 25 ms)`);
