// Runs Vigil's detector core over every NAB series and prints its score under each profile.
// Usage: npx tsx bench/nab/run.ts [--hold ROWS] [--settle ROWS] [--refractory ROWS] [--refractory-factor X] [--aftermath ROWS]
import { loadCorpus, loadProfiles, loadPublishedResults } from './nab-data.js';
import { scoreCorpus } from './scorer.js';
import { DEFAULT_ADAPTER, vigilScores } from './vigil-scores.js';

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}
const holdRows = numberArg('--hold', DEFAULT_ADAPTER.holdRows);
const settleRows = numberArg('--settle', DEFAULT_ADAPTER.settleRows);
const refractoryRows = numberArg('--refractory', DEFAULT_ADAPTER.refractoryRows);
const refractoryFactor = numberArg('--refractory-factor', DEFAULT_ADAPTER.refractoryFactor);
const aftermathRows = numberArg('--aftermath', DEFAULT_ADAPTER.aftermathRows);

const started = performance.now();
const corpus = loadCorpus();
const scored = corpus.map((s) => ({ name: s.name, scores: vigilScores(s, { holdRows, settleRows, refractoryRows, refractoryFactor, aftermathRows }), windows: s.windows }));
const elapsedMs = performance.now() - started;
const rows = corpus.reduce((n, s) => n + s.values.length, 0);

const published = loadPublishedResults();
console.log(`NAB: ${corpus.length} series, ${rows} rows, detector time ${elapsedMs.toFixed(0)} ms (hold ${holdRows} rows, refractory ${refractoryRows} rows unless ${refractoryFactor}x, aftermath ${aftermathRows} rows)`);
for (const [profile, cost] of Object.entries(loadProfiles())) {
  const r = scoreCorpus(scored, cost);
  const ref = (d: string) => published[d]?.[profile]?.toFixed(1) ?? '?';
  console.log(
    `${profile.padEnd(20)} vigil ${r.normalised.toFixed(1).padStart(5)}  (threshold ${r.threshold.toFixed(4)})` +
      `   numenta ${ref('numenta')}  knncad ${ref('knncad')}  skyline ${ref('earthgeckoSkyline')}  windowedGaussian ${ref('windowedGaussian')}`,
  );
}
