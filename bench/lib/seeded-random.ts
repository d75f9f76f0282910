// Seeded pseudo-random numbers for the benchmarks' synthetic fleets and the tests that build
// fleets of their own: the same seed draws the same data on every run, so a measured number or a
// failed test reproduces. Not for anything that needs unpredictability.

/** mulberry32: a uniform draw in [0, 1) per call. The demo fleet's generator, shared. */
export { rng as seededRandom } from '../../examples/demo/profiles.js';

/** A standard normal sample (Box–Muller) from two uniform draws. */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
