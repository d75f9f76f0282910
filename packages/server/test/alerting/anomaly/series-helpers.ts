// Small deterministic series builders for the detector tests: time is an argument, one point a
// minute from a fixed Monday, noise from a seeded generator.
export const T0 = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC
export const MINUTE = 60_000;

export function seededNoise(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    const u1 = (a + 1) / 4294967297;
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    const u2 = a / 4294967296;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}

export interface Pt {
  t: number;
  value: number;
  weight?: number;
}

/** `count` points a minute apart from minute `from`, values from `f(minute)`. */
export function minutes(from: number, count: number, f: (minute: number) => number, weight?: number): Pt[] {
  return Array.from({ length: count }, (_, i) => ({ t: T0 + (from + i) * MINUTE, value: f(from + i), ...(weight === undefined ? {} : { weight }) }));
}
