// A mergeable quantile sketch with a relative-error guarantee, stored in rollup rows.
// It is DDSketch: values map to logarithmic buckets (the mapping is @datadog/sketches-js's
// LogarithmicMapping, so bucket indexes are DDSketch's own), and the sketch is the count per
// bucket. We keep the counts ourselves instead of using the library's DDSketch object because
// rollups need two things it does not offer: removing a value (a re-sent run replaces the old
// one; the library's accept() refuses weights <= 0) and a compact encoding cheap enough to
// decode for thousands of rows per query (its protobuf form is far larger and slower).
// Removal is exact: a bucket count is an integer, so -1 undoes +1, and merging is addition, so
// a range's sketch is the same whatever the order runs arrived in. Nothing here collapses
// buckets, so the guarantee holds for every value from 1e-300 to 1e300.
import { LogarithmicMapping } from '@datadog/sketches-js/dist/ddsketch/mapping/index.js';

/** Relative error of every quantile: the answer is within 1% of the exact order statistic. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const mapping = new LogarithmicMapping(SKETCH_RELATIVE_ACCURACY);

/**
 * Bucket counts. `zero` counts values too small to map (0 in practice: durations, tokens).
 * `pending` holds encoded sketches added by reads and not yet unpacked: a read sums thousands of
 * rows and usually asks few of them for a quantile, so unpacking waits until a figure is needed.
 */
export interface QuantileSketch {
  zero: number;
  bins: Map<number, number>;
  pending?: Uint8Array[];
}

export function emptySketch(): QuantileSketch {
  return { zero: 0, bins: new Map() };
}

/** The bucket of a value; null for the zero bucket. Compute once, add to many sketches. */
export function sketchKey(value: number): number | null {
  return value > mapping.minPossible ? mapping.key(value) : null;
}

/** Adds `count` (negative to remove) values of bucket `key` (from sketchKey). */
export function addKey(s: QuantileSketch, key: number | null, count: number): void {
  if (key === null) {
    s.zero += count;
    return;
  }
  const next = (s.bins.get(key) ?? 0) + count;
  if (next === 0) s.bins.delete(key);
  else s.bins.set(key, next);
}

export function addValue(s: QuantileSketch, value: number, count = 1): void {
  addKey(s, sketchKey(value), count);
}

/** Adds `from` into `into` (or subtracts it when sign is -1). */
export function mergeSketch(into: QuantileSketch, from: QuantileSketch, sign: 1 | -1 = 1): void {
  if (from.pending?.length) {
    if (sign === 1) (into.pending ??= []).push(...from.pending);
    else for (const bytes of from.pending) unpackInto(into, bytes, -1);
  }
  into.zero += sign * from.zero;
  for (const [k, c] of from.bins) addKey(into, k, sign * c);
}

/** Adds an encoded sketch into `into` (sign -1 subtracts); additions are unpacked lazily. */
export function mergeEncoded(into: QuantileSketch, bytes: Uint8Array, sign: 1 | -1 = 1): void {
  if (bytes.length === 0) return;
  if (sign === 1) (into.pending ??= []).push(bytes);
  else unpackInto(into, bytes, -1);
}

/** The sketch as one sorted list of buckets; folds `pending` and `bins` together once. */
function flatten(s: QuantileSketch): { zero: number; keys: number[]; counts: number[] } {
  let encoded: Uint8Array | null = null;
  if (s.pending?.length) {
    encoded = s.pending.length === 1 ? s.pending[0]! : sumEncodings(s.pending);
    if (s.bins.size > 0 || s.zero !== 0) encoded = addEncoded(encoded, encodeBins(s.zero, s.bins));
    // Keep the folded form: p50, p95 and p99 of one sketch then unpack it once.
    s.pending = [encoded];
    s.bins = new Map();
    s.zero = 0;
  }
  if (encoded) return readEncoded(encoded);
  const keys = [...s.bins.keys()].sort((a, b) => a - b);
  return { zero: s.zero, keys, counts: keys.map((k) => s.bins.get(k)!) };
}

/** How many values the sketch holds. Buckets never go below zero in a consistent store; if one
 *  did (a run replaced after retention deleted its old copy), it counts as empty. */
export function sketchCount(s: QuantileSketch): number {
  const f = flatten(s);
  let n = Math.max(0, f.zero);
  for (const c of f.counts) if (c > 0) n += c;
  return n;
}

/**
 * The value at quantile q (0..1), DDSketch's rule: the order statistic of rank floor(q·(n−1))
 * (counting from 0), within SKETCH_RELATIVE_ACCURACY of it. An empty sketch answers 0, so an
 * API field promised as a number never carries NaN; callers report the count beside it.
 */
export function sketchQuantile(s: QuantileSketch, q: number): number {
  const f = flatten(s);
  let n = Math.max(0, f.zero);
  for (const c of f.counts) if (c > 0) n += c;
  if (n <= 0) return 0;
  const rank = Math.floor(Math.min(1, Math.max(0, q)) * (n - 1));
  let seen = Math.max(0, f.zero);
  if (rank < seen) return 0;
  for (let i = 0; i < f.keys.length; i++) {
    seen += Math.max(0, f.counts[i]!);
    if (seen > rank) return mapping.value(f.keys[i]!);
  }
  return mapping.value(f.keys[f.keys.length - 1]!);
}

// Encoding: zigzag varints — the zero count, then (key − previous key, count) per bucket in
// key order. A minute of a few runs takes a handful of bytes.

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function writeVarint(out: number[], n: number): void {
  // Arithmetic instead of bit operations: counts may pass 2^31 over long ranges.
  while (n >= 128) {
    out.push((n % 128) + 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

function encodeBins(zero: number, bins: Map<number, number>): Buffer {
  const out: number[] = [];
  writeVarint(out, zigzag(zero));
  const keys = [...bins.keys()].sort((a, b) => a - b);
  let prev = 0;
  for (const k of keys) {
    writeVarint(out, zigzag(k - prev));
    writeVarint(out, zigzag(bins.get(k)!));
    prev = k;
  }
  return Buffer.from(out);
}

export function encodeSketch(s: QuantileSketch): Buffer {
  if (s.pending?.length) flatten(s);
  if (s.pending?.length) return Buffer.from(s.pending[0]!);
  return encodeBins(s.zero, s.bins);
}

/** Reads an encoding into parallel arrays: zero count, keys ascending, counts. */
function readEncoded(bytes: Uint8Array): { zero: number; keys: number[]; counts: number[] } {
  let i = 0;
  const read = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[i++]!;
      n += (b & 127) * scale;
      if (b < 128) return unzigzag(n);
      scale *= 128;
    }
  };
  const keys: number[] = [];
  const counts: number[] = [];
  if (bytes.length === 0) return { zero: 0, keys, counts };
  const zero = read();
  let key = 0;
  while (i < bytes.length) {
    key += read();
    keys.push(key);
    counts.push(read());
  }
  return { zero, keys, counts };
}

function unpackInto(into: QuantileSketch, bytes: Uint8Array, sign: 1 | -1): void {
  const r = readEncoded(bytes);
  into.zero += sign * r.zero;
  r.keys.forEach((k, i) => addKey(into, k, sign * r.counts[i]!));
}

/**
 * Sum of two encoded sketches, encoded: one linear walk over both sorted key lists, no Map and
 * no sort. The rollup upsert merges this way, and reads fold their rows this way.
 */
export function addEncoded(a: Uint8Array, b: Uint8Array): Buffer {
  const x = readEncoded(a);
  const y = readEncoded(b);
  const out: number[] = [];
  writeVarint(out, zigzag(x.zero + y.zero));
  let i = 0;
  let j = 0;
  let prev = 0;
  const emit = (k: number, c: number) => {
    if (c === 0) return;
    writeVarint(out, zigzag(k - prev));
    writeVarint(out, zigzag(c));
    prev = k;
  };
  while (i < x.keys.length || j < y.keys.length) {
    const kx = i < x.keys.length ? x.keys[i]! : Infinity;
    const ky = j < y.keys.length ? y.keys[j]! : Infinity;
    if (kx === ky) emit(kx, x.counts[i++]! + y.counts[j++]!);
    else if (kx < ky) emit(kx, x.counts[i++]!);
    else emit(ky, y.counts[j++]!);
  }
  return Buffer.from(out);
}

/**
 * Buckets a dense sum covers: keys −2048…2047, values from about 1e-18 to 1e17 at 1% accuracy
 * (durations in ms, tokens and iterations all fall inside); a key outside goes to a Map.
 */
const DENSE_OFFSET = 2048;
const DENSE_SIZE = 4096;

/**
 * Sum of many encodings in one pass, decoding straight into a dense array of bucket counts, so
 * the cost is one step per stored bucket. (Folding pairwise re-reads the growing sum per row.)
 */
function sumEncodings(list: Uint8Array[]): Buffer {
  const dense = new Float64Array(DENSE_SIZE);
  let lo = DENSE_SIZE;
  let hi = -1;
  let outside: Map<number, number> | null = null;
  let zero = 0;
  for (const bytes of list) {
    let i = 0;
    const read = (): number => {
      let n = 0;
      let scale = 1;
      for (;;) {
        const b = bytes[i++]!;
        n += (b & 127) * scale;
        if (b < 128) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
        scale *= 128;
      }
    };
    if (bytes.length === 0) continue;
    zero += read();
    let key = 0;
    while (i < bytes.length) {
      key += read();
      const c = read();
      const at = key + DENSE_OFFSET;
      if (at >= 0 && at < DENSE_SIZE) {
        dense[at]! += c;
        if (at < lo) lo = at;
        if (at > hi) hi = at;
      } else {
        outside ??= new Map();
        outside.set(key, (outside.get(key) ?? 0) + c);
      }
    }
  }
  const out: number[] = [];
  writeVarint(out, zigzag(zero));
  const keys: number[] = [];
  const counts: number[] = [];
  for (let at = lo; at <= hi; at++) {
    if (dense[at] !== 0) {
      keys.push(at - DENSE_OFFSET);
      counts.push(dense[at]!);
    }
  }
  if (outside) {
    for (const [k, c] of outside) if (c !== 0) { keys.push(k); counts.push(c); }
    const order = keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
    const k2 = order.map((i) => keys[i]!);
    const c2 = order.map((i) => counts[i]!);
    keys.splice(0, keys.length, ...k2);
    counts.splice(0, counts.length, ...c2);
  }
  let prev = 0;
  keys.forEach((k, i) => {
    writeVarint(out, zigzag(k - prev));
    writeVarint(out, zigzag(counts[i]!));
    prev = k;
  });
  return Buffer.from(out);
}

export function decodeSketch(bytes: Uint8Array): QuantileSketch {
  const s = emptySketch();
  unpackInto(s, bytes, 1);
  return s;
}
