// A fixed-capacity sliding window that answers median and MAD in O(1)/O(n) without re-sorting.
// It keeps two views of the same values: arrival order (to know which one leaves) and sorted
// order (for order statistics). No allocation per update once full.

export interface RobustWindow {
  readonly capacity: number;
  readonly size: number;
  push(value: number): void;
  median(): number;
  /** Median absolute deviation from the median (unscaled). */
  mad(): number;
  /** The q-quantile (0 ≤ q ≤ 1) by nearest rank. */
  quantile(q: number): number;
  /** Values in arrival order, oldest first (for serialisation). */
  values(): number[];
}

function lowerBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createRobustWindow(capacity: number, initial: readonly number[] = []): RobustWindow {
  const ring: number[] = [];
  let head = 0;
  const sorted: number[] = [];

  function push(value: number): void {
    if (ring.length < capacity) {
      ring.push(value);
    } else {
      const old = ring[head]!;
      ring[head] = value;
      head = (head + 1) % capacity;
      sorted.splice(lowerBound(sorted, old), 1);
    }
    sorted.splice(lowerBound(sorted, value), 0, value);
  }

  function median(): number {
    const n = sorted.length;
    if (n === 0) return NaN;
    const mid = n >> 1;
    return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  // The deviations |v − m| read outward from the median are two sorted runs; merging them
  // until the middle gives the MAD in n/2 steps with no extra array.
  function mad(): number {
    const n = sorted.length;
    if (n === 0) return NaN;
    const m = median();
    let right = lowerBound(sorted, m);
    let left = right - 1;
    const want = n >> 1;
    let prev = 0;
    let cur = 0;
    for (let k = 0; k <= want; k++) {
      const dl = left >= 0 ? m - sorted[left]! : Infinity;
      const dr = right < n ? sorted[right]! - m : Infinity;
      prev = cur;
      if (dl <= dr) {
        cur = dl;
        left--;
      } else {
        cur = dr;
        right++;
      }
    }
    return n % 2 === 1 ? cur : (prev + cur) / 2;
  }

  function quantile(q: number): number {
    const n = sorted.length;
    if (n === 0) return NaN;
    return sorted[Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))))]!;
  }

  for (const v of initial.slice(-capacity)) push(v);

  return {
    capacity,
    get size() {
      return ring.length;
    },
    push,
    median,
    mad,
    quantile,
    values: () => [...ring.slice(head), ...ring.slice(0, head)],
  };
}
