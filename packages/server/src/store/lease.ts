// Keeps one named lease for this replica: renews it on a timer and answers isLeader() from the
// last grant, so work that must run on one replica at a time (alert evaluation) runs there only.
// It decides nothing about that work; the store's tryAcquireLease is the only source of truth.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LeaseStore } from './store.js';

/** Renew three times per TTL: two renewals may fail (a slow query, a blip) before the lease lapses. */
export const RENEWALS_PER_TTL = 3;
/**
 * This replica stops calling itself leader this share of the TTL after it *sent* the request
 * that granted the lease. The database counts the TTL from when it ran the request, later, so the
 * old holder steps down before anyone else can step up, even with a clock running 10% fast.
 */
export const LOCAL_VALIDITY_SHARE = 0.9;

export interface LeaseKeeperOptions {
  store: LeaseStore;
  /** The lease's name, e.g. 'alert-evaluator'. */
  name: string;
  /** Who this replica is; defaults to host:pid:random, so operators can tell which replica holds it. */
  holder?: string;
  /**
   * How long a grant lasts. A dead holder is replaced within ttlMs + ttlMs/3 at most; the alert
   * evaluator passes its evaluation interval, so takeover happens within two intervals.
   */
  ttlMs: number;
  /** A monotonic clock in ms (tests pass their own); defaults to performance.now. */
  now?: () => number;
  /** Told when this replica gains or loses the lease. Must not throw. */
  onChange?: (leader: boolean, epoch: number) => void;
  /** Told when a renewal fails (database unreachable); the lease then lapses on its own. */
  onError?: (error: unknown) => void;
}

export interface LeaseKeeper {
  readonly holder: string;
  /** True while this replica holds the lease, by the local clock with a safety margin. */
  isLeader(): boolean;
  /** The fencing token of the current tenure; 0 when the lease is not held. */
  epoch(): number;
  /** Tries to take or renew the lease once; the timer calls it. Resolves to isLeader(). */
  renew(): Promise<boolean>;
  /** Renews now and then every ttlMs/3 (timer unref'd, so it never keeps the process alive). */
  start(): void;
  /** Stops renewing and releases the lease, so another replica takes over at once. Idempotent. */
  stop(): Promise<void>;
}

/** `host:pid:random`: readable in the leases table, unique even when a pid is reused. */
export function defaultHolder(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const now = options.now ?? (() => performance.now());
  const holder = options.holder ?? defaultHolder();
  const renewEveryMs = Math.max(1, Math.floor(options.ttlMs / RENEWALS_PER_TTL));
  let validUntil = -Infinity;
  let epoch = 0;
  let wasLeader = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let inFlight: Promise<boolean> | null = null;

  const isLeader = (): boolean => !stopped && now() < validUntil;

  const report = (): void => {
    const leader = isLeader();
    if (leader !== wasLeader) {
      wasLeader = leader;
      options.onChange?.(leader, leader ? epoch : 0);
    }
  };

  const renewOnce = async (): Promise<boolean> => {
    report(); // a grant that ran out since the last renewal is a loss, even if this one wins it back
    const sentAt = now();
    try {
      const grant = await options.store.tryAcquireLease(options.name, holder, options.ttlMs);
      if (stopped) return false;
      if (grant.held) {
        validUntil = sentAt + options.ttlMs * LOCAL_VALIDITY_SHARE;
        epoch = grant.epoch;
      } else {
        validUntil = -Infinity;
      }
    } catch (error) {
      // Keep the grant we have: it lapses by itself at validUntil if renewals keep failing.
      options.onError?.(error);
    }
    report();
    return isLeader();
  };

  const keeper: LeaseKeeper = {
    holder,
    isLeader,
    epoch: () => (isLeader() ? epoch : 0),
    renew() {
      // One request at a time: a slow database must not pile renewals up.
      inFlight ??= renewOnce().finally(() => { inFlight = null; });
      return inFlight;
    },
    start() {
      if (timer || stopped) return;
      void keeper.renew();
      timer = setInterval(() => void keeper.renew(), renewEveryMs);
      timer.unref();
    },
    async stop() {
      if (stopped) return;
      if (timer) clearInterval(timer);
      timer = null;
      await inFlight;
      const held = isLeader();
      stopped = true;
      report();
      if (held) {
        try {
          await options.store.releaseLease(options.name, holder);
        } catch (error) {
          options.onError?.(error);
        }
      }
    },
  };
  return keeper;
}
