// Exact-tail-aware deviation scores for counted metrics. A Gaussian z under-reads how unlikely
// zero runs in ten minutes are for an agent that runs five a minute, and over-reads one failure
// in ten calls for a tool that fails 0.5% of the time. The signed root of the likelihood-ratio
// statistic (Poisson or binomial) behaves like a z-score but keeps the right tails.

const EPS = 1e-9;

function xlogy(x: number, y: number): number {
  return x <= 0 ? 0 : x * Math.log(x / y);
}

/** Signed-root deviance of `observed` events against a Poisson mean `expected`. */
export function poissonZ(observed: number, expected: number): number {
  const mu = Math.max(expected, EPS);
  const x = Math.max(observed, 0);
  const d = 2 * (xlogy(x, mu) - (x - mu));
  return Math.sign(x - mu) * Math.sqrt(Math.max(d, 0));
}

/** Signed-root deviance of `successes` out of `trials` against a proportion `expected`. */
export function binomialZ(successes: number, trials: number, expected: number): number {
  if (trials <= 0) return 0;
  const p = Math.min(Math.max(expected, 1e-4), 1 - 1e-4);
  const x = Math.min(Math.max(successes, 0), trials);
  const d = 2 * (xlogy(x, trials * p) + xlogy(trials - x, trials * (1 - p)));
  return Math.sign(x - trials * p) * Math.sqrt(Math.max(d, 0));
}
