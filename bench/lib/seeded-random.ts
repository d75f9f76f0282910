// Seeded pseudo-random numbers for the benchmarks' synthetic fleets and the tests that build
// fleets of their own: the same seed draws the same data on every run, so a measured number or a
// failed test reproduces. Not for anything that needs unpredictability.

/** mulberry32: a uniform draw in [0, 1) per call; small, fast, good enough for simulation. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller) from two uniform draws. */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
