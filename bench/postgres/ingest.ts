// Batch ingest on PostgreSQL: POST /v1/runs (500 runs of 3 tool calls per request) to one and to
// two `vigil serve --database-url` replicas, against raw writes of the same rows into the same
// tables from this process over one connection: multi-row INSERT, and COPY, one transaction per
// 500 runs. Vigil's extra work is HTTP, validation, the run-key upsert (idempotent re-sends) and
// the rollups; the raw baselines do none of it. Prints runs/s and the ratios.
// Run: npx tsc -b && npx tsx bench/postgres/ingest.ts [seconds] [connections-per-replica]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { validateRunBatch } from '../../packages/protocol/src/index.js';
import { normalizeRuns } from '../../packages/server/src/ingest/normalize.js';
import { createPostgresStore } from '../../packages/server/src/store/postgres/postgres-store.js';
import { RUN_COLUMNS, TOOL_CALL_COLUMNS, toRunRow, toToolCallRows } from '../../packages/server/src/store/postgres/run-rows.js';
import { startChild, type Child } from '../lib/child.js';
import { makeRuns, RUNS_PER_BATCH } from '../lib/batch-runs.js';

const DURATION_S = Number(process.argv[2] ?? 10);
const CONNECTIONS = Number(process.argv[3] ?? 4);
const URL_ = process.env.VIGIL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEY = 'vgl_bench_key';
const CLI = fileURLToPath(new URL('../../packages/server/dist/app/cli.js', import.meta.url));

/** The rows Vigil itself would write for a batch: validated and normalized the same way. */
function rowsOf(batch: ReturnType<typeof makeRuns>) {
  const v = validateRunBatch({ runs: batch });
  if (!v.ok) throw new Error('bench runs are invalid');
  const n = normalizeRuns(v.value.runs, Date.now(), (i) => `/runs/${i}`, null);
  if (!n.ok) throw new Error('bench runs do not normalize');
  return { runs: n.runs.map((r) => toRunRow(1, r)), tools: n.runs.flatMap((r) => toToolCallRows(1, r)) };
}

async function freshSchema(name: string): Promise<void> {
  const store = createPostgresStore({ url: URL_, schema: name, poolSize: 2 });
  await store.migrate();
  await store.ensureProject('default');
  await store.close();
}

async function dropSchema(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
}

/** Writes batches for `seconds` with `write`, one transaction each; returns runs/s. */
async function rawRate(schema: string, seconds: number, write: (c: pg.Client, rows: ReturnType<typeof rowsOf>) => Promise<void>): Promise<number> {
  const client = new pg.Client({ connectionString: URL_, options: `-c search_path=${schema}` });
  await client.connect();
  let runs = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    const rows = rowsOf(makeRuns(Date.now()));
    await client.query('BEGIN');
    await write(client, rows);
    await client.query('COMMIT');
    runs += RUNS_PER_BATCH;
  }
  const rate = runs / ((performance.now() - start) / 1000);
  await client.end();
  return rate;
}

/** INSERT … VALUES (…), (…), … with one parameter per value. */
async function multiRowInsert(c: pg.Client, rows: ReturnType<typeof rowsOf>): Promise<void> {
  for (const [table, columns, list] of [['runs', RUN_COLUMNS, rows.runs], ['tool_calls', TOOL_CALL_COLUMNS, rows.tools]] as const) {
    const values: unknown[] = [];
    const tuples = (list as unknown as readonly Record<string, unknown>[]).map((r) => `(${columns.map(([col]) => `$${values.push(r[col as string])}`).join(', ')})`);
    await c.query(`INSERT INTO ${table} (${columns.map(([col]) => col).join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }
}

/** COPY … FROM STDIN in text format. */
const copyText = (v: unknown): string =>
  v === null || v === undefined ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

async function copyRows(c: pg.Client, rows: ReturnType<typeof rowsOf>): Promise<void> {
  for (const [table, columns, list] of [['runs', RUN_COLUMNS, rows.runs], ['tool_calls', TOOL_CALL_COLUMNS, rows.tools]] as const) {
    const text = (list as unknown as readonly Record<string, unknown>[]).map((r) => `${columns.map(([col]) => copyText(r[col as string])).join('\t')}\n`).join('');
    await pipeline(Readable.from([text]), c.query(copyFrom(`COPY ${table} (${columns.map(([col]) => col).join(', ')}) FROM STDIN`)));
  }
}

async function startReplica(schema: string): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-bench-'));
  const config = join(dir, 'vigil.yaml');
  // Retention off for the bench; pool of 10 per replica (the default).
  writeFileSync(config, `database:\n  schema: ${schema}\n`);
  return startChild(
    [process.execPath, CLI, 'serve', '--port', '0', '--database-url', URL_, '--config', config, '--api-key', KEY, '--no-demo'],
    /Vigil listening on (http:\/\/\S+)/,
    { VIGIL_LOG_LEVEL: 'warn', NODE_ENV: 'production' },
  );
}

async function load(urls: string[], seconds: number) {
  const results = await Promise.all(urls.map((url) => autocannon({
    url: `${url}/v1/runs`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ runs: makeRuns(Date.now()) }) }) }],
  })));
  return {
    rate: results.reduce((n, r) => n + r['2xx'] * RUNS_PER_BATCH, 0) / seconds,
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((n, r) => n + r.non2xx + r.errors, 0),
  };
}

const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
const tag = `${process.pid}`;
const schemas = { raw: `bench_raw_${tag}`, copy: `bench_copy_${tag}`, one: `bench_one_${tag}`, two: `bench_two_${tag}` };
try {
  for (const s of Object.values(schemas)) await freshSchema(s);

  await rawRate(schemas.raw, 2, multiRowInsert); // warm-up
  const insertRate = await rawRate(schemas.raw, DURATION_S, multiRowInsert);
  const copyRate = await rawRate(schemas.copy, DURATION_S, copyRows);

  const one = await startReplica(schemas.one);
  await load([one.url], 3); // warm-up
  const single = await load([one.url], DURATION_S);
  const oneRss = one.rssMiB();
  await one.stop();

  const two = [await startReplica(schemas.two), await startReplica(schemas.two)];
  await load(two.map((r) => r.url), 3);
  const pair = await load(two.map((r) => r.url), DURATION_S);
  await Promise.all(two.map((r) => r.stop()));

  const stored = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${schemas.two}.runs`);
  console.log(`raw multi-row INSERT (1 connection): ${insertRate.toFixed(0)} runs/s (500 runs + 1,500 tool calls per transaction)`);
  console.log(`raw COPY (1 connection)            : ${copyRate.toFixed(0)} runs/s`);
  console.log(`vigil, 1 replica                   : ${single.rate.toFixed(0)} runs/s, p99 ${single.p99} ms per 500-run request, non-2xx ${single.errors}, RSS ${oneRss.toFixed(0)} MiB`);
  console.log(`vigil, 2 replicas                  : ${pair.rate.toFixed(0)} runs/s, p99 ${pair.p99} ms, non-2xx ${pair.errors} (${Number(stored.rows[0]!.n).toLocaleString('en')} runs stored)`);
  console.log(`ratio 1 replica / multi-row INSERT : ${(single.rate / insertRate).toFixed(2)}`);
  console.log(`ratio 1 replica / COPY             : ${(single.rate / copyRate).toFixed(2)}`);
  console.log(`ratio 2 replicas / 1 replica       : ${(pair.rate / single.rate).toFixed(2)}`);
} finally {
  for (const s of Object.values(schemas)) await dropSchema(admin, s);
  await admin.end();
}
