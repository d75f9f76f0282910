// The alert types shared by rules, the evaluator, the store, the API and notify/ (which may import
// only these types from alerts/). No logic lives here.
import type { Labels } from './labels.js';

export type { Labels } from './labels.js';

/** Prometheus's states. `inactive` instances are not kept; `resolved` ones are, for a while. */
export type AlertState = 'pending' | 'firing' | 'resolved';

/** Annotation name → text. Always `summary` and `description`; evidence keys are listed in docs/alerting.md. */
export type Annotations = Readonly<Record<string, string>>;

/** One alert instance: a rule's finding for one label set, with its life so far. Times are epoch ms. */
export interface AlertInstance {
  /** labelKey(labels). */
  fingerprint: string;
  labels: Labels;
  state: AlertState;
  /** The rule's value at the last evaluation that found the condition true. */
  value: number;
  annotations: Annotations;
  /** When the condition became true for this episode (Prometheus's ActiveAt): startsAt. */
  activeAt: number;
  /** When the instance went pending → firing; null while pending. */
  firedAt: number | null;
  /** When it resolved (endsAt); null while pending or firing. */
  resolvedAt: number | null;
  /** The last evaluation at which the condition held (drives keep_firing_for). */
  lastSeenAt: number;
}

/** An instance as the API and the notifier see it: with its project and silence marks. */
export interface AlertView extends AlertInstance {
  projectId: number;
  silenced: boolean;
  /** Ids of the active silences that match it. */
  silencedBy: string[];
}

/** A state change, written to the alert history. */
export interface AlertTransition {
  fingerprint: string;
  labels: Labels;
  /** The new state; 'inactive' when a pending instance is dropped before it fired. */
  state: AlertState | 'inactive';
  value: number;
  at: number;
  annotations: Annotations;
}

export interface SilenceMatcher {
  name: string;
  value: string;
  /** Alertmanager's fields: a regular-expression match, and whether it is = (true) or != (false). */
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  projectId: number;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  createdAt: number;
}
