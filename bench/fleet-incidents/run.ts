// Prints the realistic-fleet benchmark for each seed: recall, false pages per agent-week, step
// delay, creeps caught within 6 h, holiday pages.
// Usage: npx tsx bench/fleet-incidents/run.ts [--seeds 1,2,3] [--agents 82] [--incidents 30] [--fleet 2]
//        [--learn-days 7] [--eval-days 7] [--sensitivity medium]
import { runFleetSuite } from './suite.js';
import type { Sensitivity } from '../../packages/server/src/alerting/anomaly/index.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const seeds = arg('--seeds', '1,2,3').split(',').map(Number);
const sensitivity = arg('--sensitivity', 'medium') as Sensitivity;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
for (const seed of seeds) {
  const spec = {
    seed, agents: Number(arg('--agents', '82')), learnDays: Number(arg('--learn-days', '7')), evalDays: Number(arg('--eval-days', '7')),
    agentIncidents: Number(arg('--incidents', '30')), fleetSlowdowns: Number(arg('--fleet', '2')),
  };
  const started = performance.now();
  const r = runFleetSuite(spec, { sensitivity });
  const seconds = (performance.now() - started) / 1000;
  console.log(`fleet incidents seed ${seed}: ${spec.agents} agents, ${spec.learnDays}+${spec.evalDays} days, ${r.incidents.length} incidents, sensitivity ${sensitivity}; ${(r.updates / 1e6).toFixed(1)}M points in ${seconds.toFixed(0)} s (detector ${(r.detectorMs / 1000).toFixed(0)} s)`);
  console.log(`  recall ${pct(r.recall)} (goal >= 90%)  ${Object.entries(r.recallByKind).map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`);
  console.log(`  pages ${r.pages}; false ${r.falsePages} = ${r.falsePagesPerAgentWeek.toFixed(2)} per agent-week (goal <= 1); holiday ${r.holidayPages}; by first metric ${JSON.stringify(r.falsePagesByKind)}`);
  console.log(`  median delay, steps ${r.medianStepDelayMinutes ?? '-'} min (goal <= 5); creeps caught within 6 h ${r.creepsWithinDeadline} of ${r.creeps}`);
  const missed = r.incidents.filter((i) => !i.detected);
  if (missed.length) console.log(`  missed: ${missed.map((i) => `${i.kind}@${Number.isNaN(i.runsPerMinute) ? `${i.agents} agents` : `${i.runsPerMinute.toFixed(1)}runs/min`}`).join(', ')}`);
}
