// A stored run as the read API returns it: times as ISO 8601 UTC, field names as on the wire.
import type { RunRecord } from '@vigil/protocol';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function runToJson(r: RunRecord) {
  return {
    ...r,
    timestamp: iso(r.timestamp),
    ended_at: iso(r.ended_at),
    received_at: iso(r.received_at),
    tool_calls: r.tool_calls.map((t) => ({ ...t, started_at: isoOrNull(t.started_at) })),
    steps: r.steps.map((s) => ({ ...s, started_at: isoOrNull(s.started_at) })),
    transitions: r.transitions.map((t) => ({ state: t.state, at: iso(t.at) })),
  };
}

export type RunJson = ReturnType<typeof runToJson>;
