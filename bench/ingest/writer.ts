// The SQLite write path alone, without HTTP or the write thread: groups of single-run requests
// (the seed payload's shape: a run with two tool calls), as POST /metrics under load hands them
// to the write thread, through `createRunWriter` (runs, tool calls, agents, rollups, one
// transaction per group), against raw prepared inserts of the same rows with one transaction
// per group, in this process. Prints µs per run for both and the ratio (raw / writer).
// Run ids are sequential strings by default; `uuid7` is what the SDK sends, `uuid4` what random
// client ids cost (each run's index entries land on a random page).
// Run: npx tsx bench/ingest/writer.ts [runs per size] [synchronous: FULL | OFF] [ids: seq | uuid7 | uuid4]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { RunRecord } from '@vigil/protocol';
import { newRunId } from '../../packages/sdk/src/runtime.js';
import { normalizeRun } from '../../packages/server/src/ingest/normalize.js';
import { createRunWriter, type WriteInput } from '../../packages/server/src/store/sqlite/run-writer.js';
import { migrateSqlite, openSqliteDatabase } from '../../packages/server/src/store/sqlite/sqlite-store.js';

const RUNS = Number(process.argv[2] ?? 60_000);
// OFF leaves the fsync out, to see the CPU of the write itself; FULL is what the server runs.
const SYNCHRONOUS = process.argv[3] ?? 'FULL';
const IDS = process.argv[4] ?? 'seq';
const GROUP_SIZES = [25, 100];

let seq = 0;
const nextId = (): string => (IDS === 'uuid7' ? newRunId() : IDS === 'uuid4' ? randomUUID() : `w-${process.pid}-${String(seq++).padStart(10, '0')}`);
/** The seed payload as the server normalizes it, with a fresh run id. */
const seedRun = (): RunRecord => normalizeRun({
  agent_name: 'customer_support_bot', run_id: nextId(), duration_ms: 2847, iterations: 3, tokens_used: 1240,
  tool_calls: [{ name: 'search_knowledge_base', status: 'success' }, { name: 'create_ticket', status: 'success' }],
  completion_status: 'success', timestamp: new Date().toISOString(),
}, Date.now(), '', null, []);

const folders: string[] = [];
function freshDatabase(): Database.Database {
  const folder = mkdtempSync(join(tmpdir(), 'vigil-writer-'));
  folders.push(folder);
  const db = openSqliteDatabase(join(folder, 'vigil.db'));
  migrateSqlite(db);
  db.prepare("INSERT INTO projects (id, name, created_at) VALUES (1, 'default', 0)").run();
  db.pragma(`synchronous = ${SYNCHRONOUS}`);
  return db;
}

/** µs per run over `RUNS` runs in groups of `size`, after a warm-up of 20 groups. */
function measure(size: number, writeGroup: (inputs: WriteInput[]) => void): number {
  let elapsed = 0;
  let runs = 0;
  for (let g = 0; runs < RUNS; g++) {
    const inputs = Array.from({ length: size }, () => ({ projectId: 1, runs: [seedRun()] }));
    const t0 = performance.now();
    writeGroup(inputs);
    if (g >= 20) {
      elapsed += performance.now() - t0;
      runs += size;
    }
  }
  return (elapsed * 1000) / runs;
}

function rawInserts(db: Database.Database): (inputs: WriteInput[]) => void {
  const insertRun = db.prepare(`INSERT INTO runs (project_id, run_id, agent_name, ts, ended_at, duration_ms, iterations, tokens_used,
    tokens_input, tokens_output, tokens_cached_input, tokens_reasoning, model, completion_status, error_type, error_message, cost_usd,
    environment, release, session_id, user_id, tags, sampled, received_at, detail)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, NULL, NULL, NULL, NULL, NULL, 1, ?, ?)`);
  const insertTool = db.prepare(`INSERT INTO tool_calls (project_id, run_id, seq, agent_name, ts, name, status, duration_ms, args_hash, error_type)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`);
  return db.transaction((inputs: WriteInput[]) => {
    for (const { projectId, runs } of inputs) {
      for (const r of runs) {
        insertRun.run(projectId, r.run_id, r.agent_name, r.timestamp, r.ended_at, r.duration_ms, r.iterations, r.tokens_used,
          r.tokens.input, r.tokens.output, r.tokens.cached_input, r.tokens.reasoning, r.model, r.completion_status, r.cost_usd,
          r.received_at, JSON.stringify({ tool_calls: r.tool_calls, steps: r.steps, transitions: r.transitions }));
        r.tool_calls.forEach((t, k) => insertTool.run(projectId, r.run_id, k, r.agent_name, r.timestamp, t.name, t.status, t.duration_ms));
      }
    }
  });
}

console.log(`synchronous=${SYNCHRONOUS}, run ids ${IDS}, ${RUNS} runs per measurement`);
for (const size of GROUP_SIZES) {
  const raw = measure(size, rawInserts(freshDatabase()));
  const writer = createRunWriter(freshDatabase());
  const vigil = measure(size, (inputs) => writer.writeGroup(inputs, Date.now()));
  console.log(`groups of ${String(size).padStart(3)}: raw inserts ${raw.toFixed(1)} µs/run, run writer ${vigil.toFixed(1)} µs/run, ratio (raw / writer) ${(raw / vigil).toFixed(2)}`);
}
for (const folder of folders) rmSync(folder, { recursive: true, force: true });
