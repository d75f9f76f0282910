// The `alertmanager` channel's wire format and resend rule: alert instances as Alertmanager's API
// v2 takes them (`POST /api/v2/alerts`, a JSON array), and when each one is due again, as
// Prometheus decides it. Alertmanager does the grouping, silencing and repeating itself, so this
// channel skips Vigil's groups and sends the instances. Pure: no clock, no I/O.
import type { AlertView } from '../types.js';

/** Prometheus's `--rules.alert.resend-delay` default: a firing alert is sent again after this, ms. */
export const DEFAULT_RESEND_DELAY_MS = 60_000;
/** Prometheus's `--alertmanager.notification-batch-size` default: alerts per request. */
export const MAX_ALERTS_PER_REQUEST = 256;
/**
 * A firing alert's endsAt lies this many resend periods ahead (Prometheus's ValidUntil): if
 * Vigil goes away, Alertmanager resolves the alert by itself after that, but three lost resends
 * in a row do not resolve it.
 */
export const VALID_FOR_RESENDS = 4;

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** Where the alert is seen in the dashboard: its card on the alerts page. */
export function alertViewUrl(externalUrl: string, fingerprint: string): string {
  return `${externalUrl}/alerts#alert-${encodeURIComponent(fingerprint)}`;
}

/** Alertmanager's endpoint under a base URL that may carry a route prefix (`http://am:9093/am`). */
export function alertsEndpoint(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/v2/alerts`;
}

/**
 * Whether an instance is due: pending and silenced ones never (a Vigil silence keeps it from every
 * channel); a resolve not sent yet at once; otherwise once `resendDelayMs` has passed since the
 * last send. Resolved instances keep being re-sent while Vigil keeps them (15 min), so a resolve
 * lost on the network or to an Alertmanager restart still arrives.
 */
export function isDue(a: AlertView, lastSentAt: number | undefined, now: number, resendDelayMs: number): boolean {
  if (a.state === 'pending' || a.silenced) return false;
  if (lastSentAt === undefined) return true;
  if (a.resolvedAt !== null && a.resolvedAt > lastSentAt) return true;
  return now - lastSentAt >= resendDelayMs;
}

export function postableAlert(
  a: AlertView,
  context: { now: number; projectName: string; externalUrl: string; resendDelayMs: number; evaluationIntervalMs: number },
): PostableAlert {
  const validForMs = VALID_FOR_RESENDS * Math.max(context.resendDelayMs, context.evaluationIntervalMs);
  // `project` lets one Alertmanager route tenants apart; a rule's own `project` label wins.
  const labels: Record<string, string> = { project: context.projectName };
  // An empty value is an absent label to Alertmanager; sending it would only differ in the fingerprint.
  for (const [k, v] of Object.entries(a.labels)) if (v !== '') labels[k] = v;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.annotations)) if (v !== '') annotations[k] = v;
  return {
    labels,
    annotations,
    startsAt: new Date(a.firedAt ?? a.activeAt).toISOString(),
    endsAt: new Date(a.resolvedAt ?? context.now + validForMs).toISOString(),
    generatorURL: alertViewUrl(context.externalUrl, a.fingerprint),
  };
}

/** Splits a list into request-sized batches. */
export function batches<T>(items: readonly T[], size = MAX_ALERTS_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
