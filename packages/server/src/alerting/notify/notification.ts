// One notification about one group, as the channels receive it: the shared input of webhook.ts
// and slack.ts, built by notifier.ts. Types only, plus the group key helpers.
import type { AlertInstance, Labels } from '../types.js';

/** Labels that form a group, as Alertmanager's `group_by: [alertname, agent]`. */
export const GROUP_BY = ['alertname', 'agent'] as const;

export interface Notification {
  /** The channel's name (Alertmanager's `receiver`). */
  receiver: string;
  /** Alertmanager's group key: `{}:{agent="…", alertname="…"}`. */
  groupKey: string;
  groupLabels: Labels;
  /** 'firing' when any alert in it fires, else 'resolved'. */
  status: 'firing' | 'resolved';
  /** Firing first, then resolved, each by startsAt. */
  alerts: AlertInstance[];
  /** Where people reach Vigil (alerting.external_url). */
  externalUrl: string;
}

export function groupLabelsOf(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const name of GROUP_BY) if (labels[name] !== undefined) out[name] = labels[name];
  return out;
}

export function groupKeyOf(groupLabels: Labels): string {
  const pairs = Object.keys(groupLabels).sort().map((k) => `${k}=${JSON.stringify(groupLabels[k])}`);
  return `{}:{${pairs.join(', ')}}`;
}
