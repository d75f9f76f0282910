// Loads the NAB corpus (series, label windows, profiles, reference detector scores) from disk.
// Only file reading and parsing here; scoring lives in scorer.ts.
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { CostMatrix } from './scorer.js';

export const NAB_DIR = process.env.NAB_DIR ?? new URL('../../../shared/nab/', import.meta.url).pathname;

export interface NabSeries {
  /** "<category>/<file>.csv", the key used by NAB's label and result files. */
  name: string;
  timestampsMs: number[];
  values: number[];
  /** Inclusive row-index ranges of the label windows. */
  windows: [number, number][];
}

/** NAB writes "2014-04-10 07:15:00[.000000]" with no zone; the data are read as UTC. */
export function parseNabTime(text: string): number {
  return Date.parse(text.trim().replace(' ', 'T').replace(/\.\d+$/, '') + 'Z');
}

function readCsv(path: string): { timestampsMs: number[]; values: number[] } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const timestampsMs: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    const comma = line.indexOf(',');
    timestampsMs.push(parseNabTime(line.slice(0, comma)));
    values.push(Number(line.slice(comma + 1)));
  }
  return { timestampsMs, values };
}

/** First row at or after `ms`, or -1 (binary search; timestamps are increasing). */
function firstAtOrAfter(ts: readonly number[], ms: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo < ts.length ? lo : -1;
}

export function loadCorpus(dir = NAB_DIR): NabSeries[] {
  const windowsByName = JSON.parse(readFileSync(join(dir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, [string, string][]>;
  const out: NabSeries[] = [];
  for (const category of readdirSync(join(dir, 'data')).sort()) {
    if (category.includes('.')) continue;
    for (const file of readdirSync(join(dir, 'data', category)).sort()) {
      if (!file.endsWith('.csv')) continue;
      const name = `${category}/${file}`;
      const { timestampsMs, values } = readCsv(join(dir, 'data', category, file));
      const windows: [number, number][] = [];
      for (const [start, end] of windowsByName[name] ?? []) {
        const a = firstAtOrAfter(timestampsMs, parseNabTime(start));
        let b = firstAtOrAfter(timestampsMs, parseNabTime(end) + 1) - 1;
        if (b < 0) b = timestampsMs.length - 1;
        if (a >= 0 && b >= a) windows.push([a, b]);
      }
      out.push({ name, timestampsMs, values, windows });
    }
  }
  return out;
}

export function loadProfiles(dir = NAB_DIR): Record<string, CostMatrix> {
  const raw = JSON.parse(readFileSync(join(dir, 'config', 'profiles.json'), 'utf8')) as Record<string, { CostMatrix: CostMatrix }>;
  const out: Record<string, CostMatrix> = {};
  for (const [name, p] of Object.entries(raw)) out[name] = p.CostMatrix;
  return out;
}

/** Per-row anomaly scores of a published detector: {"<category>/<file>.csv": [score, …]}. */
export function loadReferenceScores(detector: string, dir = NAB_DIR): Record<string, number[]> {
  return JSON.parse(gunzipSync(readFileSync(join(dir, 'reference-scores', `${detector}.json.gz`))).toString('utf8')) as Record<string, number[]>;
}

export function loadPublishedResults(dir = NAB_DIR): Record<string, Record<string, number>> {
  return JSON.parse(readFileSync(join(dir, 'results', 'final_results.json'), 'utf8')) as Record<string, Record<string, number>>;
}
