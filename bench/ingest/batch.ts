// Batch ingest: POST /v1/runs with 500 runs of 3 tool calls per request, against raw
// better-sqlite3 inserts of the same rows (same schema, same durability: WAL, synchronous=FULL,
// one transaction per 500 runs) in this process. Prints runs/s for both and the ratio.
// Run: npm run build && npx tsx bench/ingest/batch.ts [seconds]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { migrateSqlite, openSqliteDatabase } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import { BENCH_KEY, startVigil } from '../lib/vigil-child.js';
import { makeRuns, RUNS_PER_BATCH } from '../lib/batch-runs.js';

const DURATION_S = Number(process.argv[2] ?? 10);

/** The baseline: the same rows written with prepared statements, no HTTP, no validation. */
function rawInserts(seconds: number): number {
  const db = openSqliteDatabase(join(mkdtempSync(join(tmpdir(), 'vigil-raw-')), 'raw.db'));
  migrateSqlite(db);
  const insertRun = db.prepare(`INSERT INTO runs (project_id, run_id, agent_name, ts, ended_at, duration_ms, iterations, tokens_used,
    tokens_input, tokens_output, tokens_cached_input, tokens_reasoning, model, completion_status, error_type, error_message, cost_usd,
    environment, release, session_id, user_id, tags, sampled, received_at, detail)
    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, ?, ?)`);
  const insertTool = db.prepare('INSERT INTO tool_calls (project_id, run_id, seq, agent_name, ts, name, status, duration_ms, args_hash, error_type) VALUES (1, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)');
  const write = db.transaction((runs: ReturnType<typeof makeRuns>) => {
    for (const r of runs) {
      insertRun.run(r.run_id, r.agent_name, r.timestamp, r.timestamp + r.duration_ms, r.duration_ms, r.iterations,
        r.tokens.input + r.tokens.output, r.tokens.input, r.tokens.output, r.model, r.completion_status, Date.now(),
        JSON.stringify({ tool_calls: r.tool_calls, steps: [], transitions: [] }));
      r.tool_calls.forEach((t, k) => insertTool.run(r.run_id, k, r.agent_name, r.timestamp, t.name, t.status, t.duration_ms));
    }
  });
  let runs = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    write(makeRuns(Date.now()));
    runs += RUNS_PER_BATCH;
  }
  const rate = runs / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

async function vigilIngest(url: string, seconds: number) {
  const result = await autocannon({
    url: `${url}/v1/runs`,
    method: 'POST',
    connections: 4,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_KEY}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ runs: makeRuns(Date.now()) }) }) }],
  });
  return { rate: (result['2xx'] * RUNS_PER_BATCH) / seconds, p99: result.latency.p99, errors: result.non2xx + result.errors };
}

rawInserts(2); // warm-up
const raw = rawInserts(DURATION_S);
const vigil = await startVigil();
await vigilIngest(vigil.url, 3); // warm-up
const measured = await vigilIngest(vigil.url, DURATION_S);
const rss = vigil.rssMiB();
await vigil.stop();

console.log(`raw better-sqlite3 inserts: ${raw.toFixed(0)} runs/s (500 runs x 3 tool calls per transaction)`);
console.log(`vigil POST /v1/runs       : ${measured.rate.toFixed(0)} runs/s, p99 ${measured.p99} ms per 500-run request, non-2xx ${measured.errors}, server RSS ${rss.toFixed(0)} MiB`);
console.log(`throughput ratio (vigil / raw): ${(measured.rate / raw).toFixed(2)}  (goal >= 0.5)`);
