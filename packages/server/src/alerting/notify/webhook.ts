// The `webhook` channel: Alertmanager's version-4 webhook body, so any receiver written for
// Alertmanager takes Vigil's notifications unchanged. Formatting only; delivery is the transport's.
import type { AlertInstance, Annotations, Labels } from '../types.js';
import type { Notification } from './notification.js';

/** Alertmanager's "not ended" time for firing alerts. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Annotations;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookBody {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Annotations;
  externalURL: string;
  alerts: WebhookAlert[];
}

function common<T extends Readonly<Record<string, string>>>(items: readonly T[]): Record<string, string> {
  if (items.length === 0) return {};
  const out: Record<string, string> = { ...items[0] };
  for (const item of items.slice(1)) for (const k of Object.keys(out)) if (item[k] !== out[k]) delete out[k];
  return out;
}

export function webhookAlert(a: AlertInstance, externalUrl: string): WebhookAlert {
  return {
    status: a.state === 'resolved' ? 'resolved' : 'firing',
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.activeAt).toISOString(),
    endsAt: a.resolvedAt !== null ? new Date(a.resolvedAt).toISOString() : ZERO_TIME,
    generatorURL: a.annotations.runs_url ?? externalUrl,
    fingerprint: a.fingerprint,
  };
}

/** `maxAlerts` > 0 truncates the list as Alertmanager's `max_alerts` does, counting the rest. */
export function webhookBody(n: Notification, maxAlerts = 0): WebhookBody {
  const shown = maxAlerts > 0 ? n.alerts.slice(0, maxAlerts) : n.alerts;
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.alerts.length - shown.length,
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: common(n.alerts.map((a) => a.labels)),
    commonAnnotations: common(n.alerts.map((a) => a.annotations)),
    externalURL: n.externalUrl,
    alerts: shown.map((a) => webhookAlert(a, n.externalUrl)),
  };
}
