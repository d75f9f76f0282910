// The life of one alert instance as a pure step: previous instance + observation + time → next
// instance. No timers, no clock, no store here; the evaluator feeds it and persists the result.
import type { AlertInstance, AlertTransition, Annotations, Labels } from './types.js';
import { labelKey } from './labels.js';

/**
 * How long a resolved instance is kept. Long enough that the resolved notification survives a
 * receiver that is down for a few minutes, a lost request and a Vigil restart in between
 * (Prometheus keeps resolved alerts 15 minutes for the same reasons).
 */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export interface StepTiming {
  /** Pending → firing after the condition held this long (`for`). */
  forMs: number;
  /** A firing instance stays firing this long after the condition stops (`keep_firing_for`). */
  keepFiringForMs: number;
}

/** What a rule found for one label set at one evaluation. */
export interface Observation {
  labels: Labels;
  value: number;
  annotations: Annotations;
}

export interface StepResult {
  /** The next instance, or null when it is dropped (pending that stopped, resolved past retention). */
  next: AlertInstance | null;
  /** Set when the state changed. */
  transition: AlertTransition | null;
}

function change(instance: AlertInstance, at: number): AlertTransition {
  return { fingerprint: instance.fingerprint, labels: instance.labels, state: instance.state, value: instance.value, at, annotations: instance.annotations };
}

/**
 * One evaluation of one instance. `observed` is the rule's finding when the condition holds,
 * null when it does not (including "no data": an agent without runs is not a drop).
 */
export function stepAlert(prev: AlertInstance | null, observed: Observation | null, now: number, timing: StepTiming): StepResult {
  if (observed) {
    if (prev === null || prev.state === 'resolved') {
      // A new episode. With `for: 0s` it fires at once, as Prometheus does.
      const fires = timing.forMs <= 0;
      const next: AlertInstance = {
        fingerprint: labelKey(observed.labels),
        labels: observed.labels,
        state: fires ? 'firing' : 'pending',
        value: observed.value,
        annotations: observed.annotations,
        activeAt: now,
        firedAt: fires ? now : null,
        resolvedAt: null,
        lastSeenAt: now,
      };
      return { next, transition: change(next, now) };
    }
    const next: AlertInstance = { ...prev, value: observed.value, annotations: observed.annotations, lastSeenAt: now };
    if (prev.state === 'pending' && now - prev.activeAt >= timing.forMs) {
      next.state = 'firing';
      next.firedAt = now;
      return { next, transition: change(next, now) };
    }
    return { next, transition: null };
  }

  if (prev === null) return { next: null, transition: null };
  switch (prev.state) {
    case 'pending':
      // Prometheus forgets a pending alert whose condition stopped; history records it.
      return { next: null, transition: { ...change(prev, now), state: 'inactive' } };
    case 'firing': {
      if (timing.keepFiringForMs > 0 && now - prev.lastSeenAt < timing.keepFiringForMs) return { next: prev, transition: null };
      const next: AlertInstance = { ...prev, state: 'resolved', resolvedAt: now };
      return { next, transition: change(next, now) };
    }
    case 'resolved':
      return { next: prev.resolvedAt !== null && now - prev.resolvedAt >= RESOLVED_RETENTION_MS ? null : prev, transition: null };
  }
}
