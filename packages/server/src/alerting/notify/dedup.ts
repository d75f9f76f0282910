// Whether a group's notification must go out now, as Alertmanager's notification log decides it:
// new firing alerts always; newly resolved ones when the channel sends resolved; "all resolved"
// once; otherwise only when repeat_interval has passed since the last one. Pure.

/** What a channel last told a receiver about one group. */
export interface LogEntry {
  /** Fingerprints that were firing in the last notification sent. */
  firing: string[];
  resolved: string[];
  /** When it was sent, epoch ms. */
  sentAt: number;
}

const subset = (a: ReadonlySet<string>, b: readonly string[]): boolean => {
  const of = new Set(b);
  for (const x of a) if (!of.has(x)) return false;
  return true;
};

export function needsUpdate(
  entry: LogEntry | null,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  now: number,
  repeatIntervalMs: number,
  sendResolved: boolean,
): boolean {
  // Never notified: only firing alerts are news (a group that fired and resolved unseen is not).
  if (entry === null) return firing.size > 0;
  if (!subset(firing, entry.firing)) return true;
  // Everything resolved: say so once (even without send_resolved, to clear the log's firing set).
  if (firing.size === 0) return entry.firing.length > 0;
  if (sendResolved && !subset(resolved, entry.resolved)) return true;
  return now - entry.sentAt >= repeatIntervalMs;
}
