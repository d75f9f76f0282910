// Silences as Alertmanager has them: label matchers (=, !=, =~, !~) and a time span. A silenced
// alert still shows in the API, marked, and notifies nobody. Matching is pure; the service below
// reads and writes them through the store.
import { randomUUID } from 'node:crypto';
import type { AlertStateStore } from '../store/store.js';
import type { AlertInstance, AlertView, Labels, Silence, SilenceMatcher } from './types.js';

export type SilenceStatus = 'pending' | 'active' | 'expired';

/** A regex matcher is anchored, as Alertmanager's are. Patterns are validated when the silence is created. */
export function matcherMatches(m: SilenceMatcher, labels: Labels): boolean {
  const value = labels[m.name] ?? '';
  const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(value) : value === m.value;
  return m.isEqual ? hit : !hit;
}

export function silenceStatus(s: Silence, now: number): SilenceStatus {
  if (s.endsAt <= s.startsAt || now >= s.endsAt) return 'expired';
  return now < s.startsAt ? 'pending' : 'active';
}

/** Ids of the silences active at `now` whose matchers all match the labels. */
export function silencedBy(labels: Labels, silences: readonly Silence[], now: number): string[] {
  return silences.filter((s) => silenceStatus(s, now) === 'active' && s.matchers.every((m) => matcherMatches(m, labels))).map((s) => s.id);
}

export function markSilenced(projectId: number, alerts: readonly AlertInstance[], silences: readonly Silence[], now: number): AlertView[] {
  return alerts.map((a) => {
    const by = silencedBy(a.labels, silences, now);
    return { ...a, projectId, silenced: by.length > 0, silencedBy: by };
  });
}

export interface SilenceService {
  list(projectId: number): Promise<Silence[]>;
  /** Active and pending silences (what matching needs). */
  current(projectId: number, now: number): Promise<Silence[]>;
  create(input: Omit<Silence, 'id' | 'createdAt'>, now: number): Promise<Silence>;
  /** Ends a silence now (Alertmanager's expire); false when unknown or already expired. */
  expire(projectId: number, id: string, now: number): Promise<boolean>;
}

export function createSilenceService(store: AlertStateStore): SilenceService {
  const fromRows = (rows: Awaited<ReturnType<AlertStateStore['listSilences']>>) => rows.map((r) => r.body as Silence);
  return {
    async list(projectId) {
      return fromRows(await store.listSilences(projectId));
    },
    async current(projectId, now) {
      return fromRows(await store.listSilences(projectId, now));
    },
    async create(input, now) {
      const silence: Silence = { ...input, id: randomUUID(), createdAt: now };
      await store.putSilence({ project_id: silence.projectId, id: silence.id, starts_at: silence.startsAt, ends_at: silence.endsAt, body: silence });
      return silence;
    },
    async expire(projectId, id, now) {
      const found = (await this.list(projectId)).find((s) => s.id === id);
      if (!found || silenceStatus(found, now) === 'expired') return false;
      // A pending silence that never started ends where it would have begun.
      const ended: Silence = { ...found, endsAt: Math.max(found.startsAt, now) };
      await store.putSilence({ project_id: projectId, id, starts_at: ended.startsAt, ends_at: ended.endsAt, body: ended });
      return true;
    },
  };
}
