import { describe, expect, it } from 'vitest';
import { createBoundedQueue } from '../../src/export/bounded-queue.js';

describe('createBoundedQueue', () => {
  it('drops the oldest item when full and counts it', () => {
    const q = createBoundedQueue<number>(3);
    expect([1, 2, 3].map((n) => q.push(n))).toEqual([undefined, undefined, undefined]);
    expect(q.push(4)).toBe(1);
    expect(q.push(5)).toBe(2);
    expect(q.size).toBe(3);
    expect(q.dropped).toBe(2);
    expect(q.take(10)).toEqual([3, 4, 5]);
  });

  it('takes the oldest first and stops where accept says', () => {
    const q = createBoundedQueue<string>(10);
    for (const s of ['aa', 'bb', 'cc', 'dd']) q.push(s);
    expect(q.take(2)).toEqual(['aa', 'bb']);
    expect(q.take(10, (_item, taken) => taken.length < 1)).toEqual(['cc']);
    expect(q.size).toBe(1);
  });

  it('puts a batch back at the front in order, dropping its oldest items when they do not fit', () => {
    const q = createBoundedQueue<number>(4);
    q.push(1);
    q.push(2);
    const batch = q.take(2);
    q.push(3);
    q.push(4);
    q.push(5);
    expect(q.unshiftAll(batch)).toBe(1);
    expect(q.dropped).toBe(1);
    expect(q.take(10)).toEqual([2, 3, 4, 5]);
  });

  it('wraps around its ring without losing order', () => {
    const q = createBoundedQueue<number>(3);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      q.push(i);
      if (i % 2 === 1) out.push(...q.take(1));
    }
    out.push(...q.take(10));
    expect(out).toEqual(out.slice().sort((a, b) => a - b));
    expect(out.length + q.dropped).toBe(10);
  });

  it('refuses a capacity below one', () => {
    expect(() => createBoundedQueue(0)).toThrow(RangeError);
  });
});
