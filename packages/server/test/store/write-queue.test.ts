import { describe, expect, it } from 'vitest';
import { createWriteQueue, type WriteJob } from '../../src/store/write-queue.js';

/** A committer whose commits finish only when the test says so. */
function gatedCommitter() {
  const groups: number[][] = [];
  const gates: (() => void)[] = [];
  const commit = (jobs: WriteJob<number, number>[]) =>
    new Promise<void>((resolve) => {
      groups.push(jobs.map((j) => j.input));
      gates.push(() => {
        for (const j of jobs) j.resolve(j.input * 10);
        resolve();
      });
    });
  return { groups, gates, commit };
}

/** Lets microtasks and then the queue's own setImmediate run. */
const tick = async () => {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
};

describe('write queue', () => {
  it('puts requests that arrive together into one group and settles each with its own result', async () => {
    const c = gatedCommitter();
    const q = createWriteQueue<number, number>({ commit: c.commit, overloaded: () => new Error('full') });
    const results = [q.push(1), q.push(2), q.push(3)];
    await tick();
    expect(c.groups).toEqual([[1, 2, 3]]);
    c.gates[0]!();
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
  });

  it('with one group in flight, the next group waits for the commit and takes everything queued meanwhile', async () => {
    const c = gatedCommitter();
    const q = createWriteQueue<number, number>({ commit: c.commit, overloaded: () => new Error('full') });
    const a = q.push(1);
    await tick();
    const b = [q.push(2), q.push(3)];
    await tick();
    expect(c.groups).toEqual([[1]]);
    c.gates[0]!();
    await a;
    await tick();
    expect(c.groups).toEqual([[1], [2, 3]]);
    c.gates[1]!();
    expect(await Promise.all(b)).toEqual([20, 30]);
  });

  it('with two groups in flight, hands over a second group before the first commits, and drain waits for both', async () => {
    const c = gatedCommitter();
    const q = createWriteQueue<number, number>({ commit: c.commit, overloaded: () => new Error('full'), maxGroupsInFlight: 2 });
    void q.push(1);
    await tick();
    void q.push(2);
    await tick();
    void q.push(3);
    await tick();
    expect(c.groups).toEqual([[1], [2]]);
    let drained = false;
    const drain = q.drain().then(() => { drained = true; });
    c.gates[0]!();
    await tick();
    expect(c.groups).toEqual([[1], [2], [3]]);
    c.gates[1]!();
    await tick();
    expect(drained).toBe(false);
    c.gates[2]!();
    await drain;
    expect(drained).toBe(true);
  });

  it('refuses a push past the bound with the overload error, and a failed commit rejects only its group', async () => {
    let fail = true;
    const q = createWriteQueue<number, number>({
      maxPendingJobs: 2,
      overloaded: () => new Error('full'),
      commit: (jobs) => {
        if (fail) throw new Error('disk');
        for (const j of jobs) j.resolve(j.input);
      },
    });
    const a = q.push(1);
    const b = q.push(2);
    await expect(q.push(3)).rejects.toThrow('full');
    await expect(a).rejects.toThrow('disk');
    await expect(b).rejects.toThrow('disk');
    fail = false;
    expect(await q.push(4)).toBe(4);
  });
});
