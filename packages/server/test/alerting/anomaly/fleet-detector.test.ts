// The fleet detector on a constructed project of twelve agents (two of them small: under one run a
// minute at peak), trained on nine days of office-hours traffic once, then each case restored from
// that state and stepped minute by minute from Wednesday of the second week.
import { beforeAll, describe, expect, it } from 'vitest';
import { createFleetDetector, restoreFleetDetector } from '@vigil/server/anomaly';
import type { FleetDetectorState, IncidentChange } from '@vigil/server/anomaly';
import { createFleetFeed, DAY, opens, run, testAgents } from './fleet-helpers.js';

const agents = testAgents(12, (i) => (i < 2 ? 0.8 : 4 + 3 * i));
const TRAIN_DAYS = 9; // Monday of week 1 … Tuesday of week 2; day 9 is a Wednesday
const WED = TRAIN_DAYS * DAY;
const at = (hour: number, minute = 0) => WED + hour * 60 + minute;

let trained: FleetDetectorState;
const restored = () => restoreFleetDetector(structuredClone(trained));

beforeAll(() => {
  const d = createFleetDetector({ sensitivity: 'medium' });
  const trainingPages = opens(run(d, createFleetFeed(agents, 1), 0, WED));
  // A healthy week of office traffic is no incident (nights, weekends and lunch dips included),
  // once the first day has taught the detector what a day looks like.
  expect(trainingPages.filter((c) => c.startsAt >= Date.UTC(2026, 0, 7))).toEqual([]);
  trained = d.serialize();
}, 120_000);

const lastOf = (changes: readonly IncidentChange[], id: string) => changes.filter((c) => c.id === id).at(-1)!;

describe('fleet detector', () => {
  it('pages a public holiday at most once, as a fleet incident', () => {
    const changes = run(restored(), createFleetFeed(agents, 2), WED, WED + DAY, () => ({ holiday: true }));
    const pages = opens(changes);
    expect(pages.length).toBeLessThanOrEqual(1);
    for (const p of pages) expect(p.scope).toBe('fleet');
  });

  it('does not page a one-minute slowdown of every agent at once', () => {
    const blip = at(13, 30);
    const changes = run(restored(), createFleetFeed(agents, 3), at(10), at(16), (_a, m) => (m === blip ? { latency: 3, toolTimeout: 8 } : {}));
    expect(opens(changes)).toEqual([]);
  });

  it('pages a slowdown of eight agents as one FleetAnomaly listing them, not eight pages', () => {
    const slow = new Set(agents.slice(2, 10).map((a) => a.name));
    const changes = run(restored(), createFleetFeed(agents, 4), at(10), at(12), (a, m) => (slow.has(a.name) && m >= at(10, 30) && m < at(11, 10) ? { latency: 2.2 } : {}));
    const pages = opens(changes);
    expect(pages.map((p) => [p.scope, p.metrics[0], p.direction])).toEqual([['fleet', 'p95_latency_ms', 'up']]);
    expect(pages[0]!.minute - at(10, 30)).toBeLessThanOrEqual(5);
    const fleet = lastOf(changes, pages[0]!.id);
    expect(fleet.agents.filter((a) => slow.has(a)).length).toBeGreaterThanOrEqual(6);
    expect(fleet.agents.every((a) => slow.has(a))).toBe(true);
    expect(fleet.agentsTotal).toBe(12);
    expect(fleet.explanation).toMatch(/^p95 latency \d\.\dx normal on \d+ of 12 agents since 10:3\d$/);
    expect(changes.some((c) => c.id === fleet.id && c.type === 'resolve')).toBe(true);
  });

  it('pages a +40% token creep over eight working hours the same day', () => {
    const creeper = agents[6]!.name;
    const from = at(9);
    const to = at(17);
    const changes = run(restored(), createFleetFeed(agents, 5), at(6), at(18), (a, m) =>
      (a.name === creeper && m >= from ? { tokens: 1 + 0.4 * Math.min(1, (m - from) / (to - from)) } : {}));
    const pages = opens(changes);
    expect(pages.map((p) => [p.scope, p.agents, p.metrics])).toEqual([['agent', [creeper], ['tokens_per_run']]]);
    // Within six hours of the start, on the same day.
    expect(pages[0]!.minute).toBeLessThan(from + 6 * 60);
  });

  it('pages nothing for the morning ramp of an agent with under one run a minute', () => {
    const changes = run(restored(), createFleetFeed(agents, 6), at(5), at(12));
    expect(agents[0]!.peakRuns).toBeLessThan(1);
    expect(opens(changes)).toEqual([]);
  });

  it('pages a loop once, as one incident naming its three metrics', () => {
    const looper = agents[8]!.name;
    const changes = run(restored(), createFleetFeed(agents, 7), at(14), at(15, 30), (a, m) =>
      (a.name === looper && m >= at(14, 10) && m < at(14, 40) ? { iterations: 3, tokens: 3, latency: 2.5 } : {}));
    const pages = opens(changes);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.scope).toBe('agent');
    expect(pages[0]!.minute - at(14, 10)).toBeLessThanOrEqual(5);
    const incident = lastOf(changes, pages[0]!.id);
    expect([...incident.metrics].sort()).toEqual(['iterations_per_run', 'p95_latency_ms', 'tokens_per_run']);
    expect(changes.filter((c) => c.type === 'resolve').map((c) => c.id)).toEqual([incident.id]);
  });

  it('pages nothing again after a restore from serialised state in the middle of an incident', () => {
    const looper = agents[8]!.name;
    const effects = (a: { name: string }, m: number) => (a.name === looper && m >= at(14, 10) && m < at(14, 40) ? { iterations: 3, tokens: 3 } : {});
    const feed = createFleetFeed(agents, 8);
    const first = restored();
    const before = run(first, feed, at(14), at(14, 25), effects);
    expect(opens(before)).toHaveLength(1);
    const again = restoreFleetDetector(JSON.parse(JSON.stringify(first.serialize())) as FleetDetectorState);
    expect(again.openIncidents().map((i) => i.id)).toEqual([opens(before)[0]!.id]);
    const after = run(again, feed, at(14, 25), at(15, 30), effects);
    expect(opens(after)).toEqual([]);
    expect(after.filter((c) => c.type === 'resolve').map((c) => c.id)).toEqual([opens(before)[0]!.id]);
  });
});
