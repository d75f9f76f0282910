// Writes the benchmark fleet (default 10 million runs, 50 agents, 30 days) into a SQLite file
// through the store's own write path (writeRuns: runs, tool calls and rollups in one transaction
// per group), in big batches, and prints the rate.
//   npx tsx bench/analytics/generate.ts [--db /tmp/vigil-analytics.db] [--runs 10000000] [--batch 20000]
import { existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createSqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import { createRunFactory } from './fleet.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: '/tmp/vigil-analytics.db' },
    runs: { type: 'string', default: '10000000' },
    batch: { type: 'string', default: '20000' },
  },
});
const path = values.db;
const total = Number(values.runs);
const batchSize = Number(values.batch);

for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix);
const store = createSqliteStore({ path });
await store.migrate();
store.db.pragma('cache_size = -524288'); // 512 MiB: keeps the indexes' hot pages in memory
const project = await store.ensureProject('default');
const nextRun = createRunFactory(total);

const started = performance.now();
let lastReport = started;
for (let i = 0; i < total; i += batchSize) {
  const batch = [];
  for (let j = i; j < Math.min(total, i + batchSize); j++) batch.push(nextRun(j));
  await store.writeRuns(project.id, batch);
  const t = performance.now();
  if (t - lastReport > 10_000) {
    lastReport = t;
    const done = i + batch.length;
    console.log(`${done.toLocaleString('en')} runs, ${Math.round(done / ((t - started) / 1000)).toLocaleString('en')} runs/s`);
  }
}
const seconds = (performance.now() - started) / 1000;
await store.close();
console.log(`wrote ${total.toLocaleString('en')} runs in ${seconds.toFixed(1)} s: ${Math.round(total / seconds).toLocaleString('en')} runs/s (runs, tool calls and rollups, one transaction per batch)`);
