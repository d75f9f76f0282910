// An alert instance's identity is its label set, everywhere: state rows, silences, grouping and
// de-duplication all use the key computed here. Nothing else may invent an identity.
import { createHash } from 'node:crypto';

/** Label name → value. `alertname` is always present; `agent`, `tool`, `severity` usually are. */
export type Labels = Readonly<Record<string, string>>;

/** The labels sorted by name, as `name="value"` pairs: the canonical form of a label set. */
export function canonicalLabels(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(',');
}

/**
 * The stable key of a label set: 16 hex digits of SHA-256 over the canonical form (the length
 * Alertmanager uses for its `fingerprint`, so the two read alike in receivers).
 */
export function labelKey(labels: Labels): string {
  return createHash('sha256').update(canonicalLabels(labels)).digest('hex').slice(0, 16);
}

/** Drops empty values: Prometheus treats a label with an empty value as absent. */
export function cleanLabels(labels: Record<string, string | undefined>): Labels {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
