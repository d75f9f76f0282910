// A FIFO ring buffer with a hard capacity. When full it drops the OLDEST item and counts it.
// Why the oldest (as Prometheus's notifier does, unlike OTel's drop-newest): after an outage the
// newest runs describe the agent as it is now, which is what the alert windows (5-15 min) look at;
// runs from hours ago matter least. The caller reads `dropped` and decides how to warn.
export interface BoundedQueue<T> {
  readonly size: number;
  readonly capacity: number;
  /** Total items dropped since creation. */
  readonly dropped: number;
  /** Appends; returns the item it dropped to make room, if any. */
  push(item: T): T | undefined;
  /** Puts items back at the front (oldest end) in order; if they do not fit, the oldest of them are dropped. Returns how many were dropped. */
  unshiftAll(items: T[]): number;
  /** Removes and returns up to `max` oldest items while `accept` agrees (asked for each item, with the items taken so far). */
  take(max: number, accept?: (item: T, taken: readonly T[]) => boolean): T[];
  /** Drops the oldest item, if any, and counts it. */
  dropOldest(): T | undefined;
}

export function createBoundedQueue<T>(capacity: number): BoundedQueue<T> {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  const ring: Array<T | undefined> = new Array<T | undefined>(capacity);
  let head = 0;
  let size = 0;
  let dropped = 0;

  const shift = (): T | undefined => {
    if (size === 0) return undefined;
    const item = ring[head];
    ring[head] = undefined;
    head = (head + 1) % capacity;
    size--;
    return item;
  };

  const queue: BoundedQueue<T> = {
    get size() {
      return size;
    },
    capacity,
    get dropped() {
      return dropped;
    },
    push(item) {
      let out: T | undefined;
      if (size === capacity) {
        out = shift();
        dropped++;
      }
      ring[(head + size) % capacity] = item;
      size++;
      return out;
    },
    unshiftAll(items) {
      const room = capacity - size;
      const lost = Math.max(0, items.length - room);
      dropped += lost;
      for (let i = items.length - 1; i >= lost; i--) {
        head = (head - 1 + capacity) % capacity;
        ring[head] = items[i];
        size++;
      }
      return lost;
    },
    take(max, accept) {
      const out: T[] = [];
      while (out.length < max && size > 0) {
        const next = ring[head] as T;
        if (accept && !accept(next, out)) break;
        out.push(shift() as T);
      }
      return out;
    },
    dropOldest() {
      const item = shift();
      if (item !== undefined) dropped++;
      return item;
    },
  };
  return queue;
}
