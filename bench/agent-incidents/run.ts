// Prints the agent-incident benchmark: recall, false alerts per agent-week, detection delay and
// the cost of one minute tick for 1,000 agents × 8 metrics.
// Usage: npx tsx bench/agent-incidents/run.ts [--agents N] [--clean N] [--seed N] [--sensitivity low|medium|high]
import { measureTickCost, runSuite } from './suite.js';
import type { Sensitivity } from '../../packages/server/src/alerting/anomaly/index.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const options = {
  seed: Number(arg('--seed', '1')),
  incidentAgents: Number(arg('--agents', '60')),
  cleanAgents: Number(arg('--clean', '30')),
  learnDays: 14,
  evalDays: 7,
  sensitivity: arg('--sensitivity', 'medium') as Sensitivity,
};

const started = performance.now();
const r = runSuite(options);
const seconds = (performance.now() - started) / 1000;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`agent incidents: ${options.incidentAgents} incident agents, ${options.cleanAgents} clean agents, ${options.learnDays}+${options.evalDays} days, sensitivity ${options.sensitivity}, seed ${options.seed}`);
console.log(`  ${r.updates.toLocaleString('en-US')} detector updates in ${seconds.toFixed(1)} s`);
console.log(`  recall ${pct(r.recall)} (goal >= 90%)`);
for (const [kind, recall] of Object.entries(r.recallByKind)) console.log(`    ${kind.padEnd(14)} ${pct(recall)}`);
console.log(`  false alerts per agent-week on clean agents ${r.falseAlertsPerAgentWeek.toFixed(2)} (goal <= 1; ${r.falseAlerts} in ${r.agentWeeks.toFixed(1)} agent-weeks; by metric ${JSON.stringify(r.falseAlertsByMetric)})`);
console.log(`  alerts outside the incident on incident agents ${r.falseAlertsAroundIncidents}`);
console.log(`  median detection delay, level shifts ${r.medianLevelShiftDelayMinutes ?? '-'} min (goal <= 5); all incidents ${r.medianDelayMinutes ?? '-'} min`);
const missed = r.incidents.filter((i) => !i.detected);
if (missed.length) console.log(`  missed: ${missed.map((i) => `${i.kind}@${i.runsPerMinute.toFixed(1)}runs/min`).join(', ')}`);

const cost = measureTickCost(1000, 300, 10);
console.log(`cost: ${cost.series} series (1,000 agents x 8 metrics) per minute tick: median ${cost.medianTickMs.toFixed(1)} ms, max ${cost.maxTickMs.toFixed(1)} ms wall, median ${cost.medianTickCpuMs.toFixed(1)} ms CPU (goal <= 1000 ms)`);
