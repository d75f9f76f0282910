// Holds finished runs (already JSON-encoded) in a bounded queue and sends them in batches by size
// and by time, gzip'd, one batch in flight at a time. It never throws to its callers, never
// blocks them (gzip runs on the thread pool), and its timers never keep the process alive.
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { Logger } from '../logger.js';
import { createBoundedQueue } from './bounded-queue.js';
import { backoffDelay, unrefSleep, type RetryingTransport } from './retrying-transport.js';

const gzip = promisify(gzipCb);

/** After a failed batch, the pause before the next one starts here and doubles up to maxBackoffMs. */
const EXPORT_BACKOFF_INITIAL_MS = 1_000;

export interface BatchExporterOptions {
  transport: RetryingTransport;
  logger: Logger;
  maxQueueSize: number;
  maxBatchSize: number;
  maxBatchBytes: number;
  scheduledDelayMs: number;
  exportTimeoutMs: number;
  requestTimeoutMs: number;
  maxBackoffMs: number;
  now?: () => number;
}

export interface ExporterStats {
  /** Runs waiting in the queue. */
  queued: number;
  /** Runs in the batch being sent now. */
  inFlight: number;
  /** Runs the server acknowledged. */
  sent: number;
  /** Runs dropped because the queue was full (oldest first) or submitted after shutdown. */
  dropped: number;
  /** Runs the server refused with a non-retryable status (400, 401, 403, 413, 415). */
  rejected: number;
  /** Batches that failed with a retryable error and went back to the queue. */
  failedExports: number;
}

export interface BatchExporter {
  /** Queues one JSON-encoded run. Never throws, never waits. */
  submit(runJson: string): void;
  /** Sends everything queued now, ignoring backoff; true when the queue emptied before `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Flushes within `timeoutMs`, then stops; later calls return the same promise. */
  shutdown(timeoutMs: number): Promise<void>;
  stats(): ExporterStats;
}

type BatchOutcome = 'empty' | 'sent' | 'rejected' | 'split' | 'retry';

export function createBatchExporter(o: BatchExporterOptions): BatchExporter {
  const now = o.now ?? Date.now;
  const queue = createBoundedQueue<string>(o.maxQueueSize);
  let inFlight = 0;
  let sent = 0;
  let rejected = 0;
  let droppedOther = 0;
  let failedExports = 0;
  let consecutiveFailures = 0;
  let nextAttemptAt = 0;
  let splitLimit: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let exporting: Promise<BatchOutcome> | undefined;
  let stopped = false;
  let shutdownPromise: Promise<void> | undefined;
  let dropsInBurst = 0;
  let outageWarned = false;

  const dropped = () => queue.dropped + droppedOther;

  function noteDrop(): void {
    dropsInBurst++;
    if (dropsInBurst === 1) {
      o.logger.warn(`export queue full (${o.maxQueueSize} runs): dropping the oldest runs; see stats().dropped`);
    }
  }

  function schedule(delayMs: number): void {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void pump();
    }, Math.max(0, delayMs));
    timer.unref();
  }

  /** Runs batches back to back while full ones are waiting, then waits for the timer. */
  async function pump(): Promise<void> {
    for (;;) {
      if (stopped) return;
      const wait = nextAttemptAt - now();
      if (wait > 0) return schedule(wait);
      const outcome = await exportOnce(now() + o.exportTimeoutMs);
      if (queue.size === 0) return;
      if (outcome === 'retry') return schedule(Math.max(0, nextAttemptAt - now()));
      if (queue.size < o.maxBatchSize && outcome !== 'split') return schedule(o.scheduledDelayMs);
    }
  }

  function exportOnce(deadline: number): Promise<BatchOutcome> {
    if (!exporting) {
      exporting = sendBatch(deadline).finally(() => {
        exporting = undefined;
      });
    }
    return exporting;
  }

  async function sendBatch(deadline: number): Promise<BatchOutcome> {
    let bytes = 2;
    const batch = queue.take(splitLimit ?? o.maxBatchSize, (item, taken) => {
      const next = bytes + item.length + 1;
      if (taken.length > 0 && next > o.maxBatchBytes) return false;
      bytes = next;
      return true;
    });
    if (batch.length === 0) return 'empty';
    inFlight = batch.length;
    try {
      const body = await gzip(`{"runs":[${batch.join(',')}]}`);
      const result = await o.transport.send(body, deadline, o.requestTimeoutMs);
      if (result.kind === 'success') {
        sent += batch.length;
        consecutiveFailures = 0;
        nextAttemptAt = 0;
        splitLimit = undefined;
        if (outageWarned) o.logger.info(`export recovered; ${queue.size} runs still queued`);
        outageWarned = false;
        if (dropsInBurst > 0) o.logger.warn(`dropped ${dropsInBurst} runs while the export queue was full`);
        dropsInBurst = 0;
        return 'sent';
      }
      if (result.kind === 'failure') {
        if (result.status === 413 && batch.length > 1) {
          // Too large for the server: halve the batch and try again at once.
          queue.unshiftAll(batch);
          splitLimit = Math.ceil(batch.length / 2);
          return 'split';
        }
        rejected += batch.length;
        o.logger.once(`rejected:${result.status ?? ''}:${result.code ?? ''}`, 'error', `server refused ${batch.length} runs (${result.message}); they are dropped and such batches will not be retried`);
        return 'rejected';
      }
      failedExports++;
      consecutiveFailures++;
      const lost = queue.unshiftAll(batch);
      for (let i = 0; i < lost; i++) noteDrop();
      const pause = backoffDelay(consecutiveFailures, EXPORT_BACKOFF_INITIAL_MS, o.maxBackoffMs, Math.random);
      nextAttemptAt = now() + Math.max(pause, result.retryAfterMs ?? 0);
      if (!outageWarned) {
        outageWarned = true;
        o.logger.warn(`cannot reach the Vigil server (${result.message}); runs stay queued (at most ${o.maxQueueSize}) and will be retried`);
      } else {
        o.logger.debug(`export failed again (${result.message}); ${queue.size} runs queued`);
      }
      return 'retry';
    } catch (err) {
      // Only encoding can land here; keep the runs rather than lose them silently.
      queue.unshiftAll(batch);
      o.logger.once('encode', 'error', `could not encode a batch: ${String(err)}`);
      return 'retry';
    } finally {
      inFlight = 0;
    }
  }

  async function flush(timeoutMs: number): Promise<boolean> {
    const deadline = now() + timeoutMs;
    for (;;) {
      if (queue.size === 0 && !exporting) return true;
      const remaining = deadline - now();
      if (remaining <= 0) return false;
      // A batch that was already failing when flush() began gets one more try of our own.
      const ours = !exporting;
      const outcome = await Promise.race([exportOnce(Math.min(deadline, now() + o.exportTimeoutMs)), unrefSleep(remaining).then(() => 'timeout' as const)]);
      if (outcome === 'timeout' || (outcome === 'retry' && ours)) return queue.size === 0 && !exporting;
    }
  }

  return {
    submit(runJson) {
      try {
        if (stopped) {
          droppedOther++;
          o.logger.once('submit-after-shutdown', 'warn', 'a run finished after shutdown(); it is dropped');
          return;
        }
        // The ring drops its oldest run when full. A failed batch in flight holds runs older than
        // any queued one, and unshiftAll() drops those first, so survivors are always the newest.
        if (queue.size >= o.maxQueueSize) noteDrop();
        queue.push(runJson);
        if (exporting) return;
        if (queue.size >= o.maxBatchSize && now() >= nextAttemptAt) {
          if (timer) clearTimeout(timer);
          timer = undefined;
          void pump();
        } else {
          schedule(Math.max(o.scheduledDelayMs, nextAttemptAt - now()));
        }
      } catch (err) {
        o.logger.once('submit', 'error', `could not queue a run: ${String(err)}`);
      }
    },
    flush: (timeoutMs) => flush(timeoutMs).catch(() => false),
    shutdown(timeoutMs) {
      shutdownPromise ??= (async () => {
        try {
          await flush(timeoutMs);
        } finally {
          stopped = true;
          if (timer) clearTimeout(timer);
          timer = undefined;
        }
      })().catch(() => undefined);
      return shutdownPromise;
    },
    stats: () => ({ queued: queue.size, inFlight, sent, dropped: dropped(), rejected, failedExports }),
  };
}
