// Group commit: requests that arrive while a commit is being prepared share one transaction, and
// each is acknowledged only when that transaction has committed. Engines supply `commit`.

/** Bounds the jobs waiting for a commit; past it, writers are told to retry (429). */
export const DEFAULT_MAX_PENDING_JOBS = 10_000;

export interface WriteJob<T, R> {
  input: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export interface WriteQueue<T, R> {
  /** Queues one request's rows; resolves after their transaction commits. */
  push(input: T): Promise<R>;
  /** Resolves when everything queued so far has been committed (or failed). */
  drain(): Promise<void>;
  readonly pending: number;
}

export interface WriteQueueOptions<T, R> {
  /**
   * Commits a group of jobs in one transaction and settles each job. A job's own failure must
   * reject only that job (engines use savepoints), not its neighbours.
   */
  commit: (jobs: WriteJob<T, R>[]) => Promise<void> | void;
  maxPendingJobs?: number;
  /**
   * How many groups may be committing at once (default 1). The SQLite write thread takes more:
   * it commits them in order, merging the groups waiting for it into one transaction, so the
   * event loop never holds requests back while a commit runs. An engine whose groups would
   * commit concurrently must keep 1, or re-sends of one run could race.
   */
  maxGroupsInFlight?: number;
  /** Called with an error when the queue is full; the error is what push() rejects with. */
  overloaded: () => Error;
}

export function createWriteQueue<T, R>(options: WriteQueueOptions<T, R>): WriteQueue<T, R> {
  const maxPending = options.maxPendingJobs ?? DEFAULT_MAX_PENDING_JOBS;
  const maxInFlight = Math.max(1, options.maxGroupsInFlight ?? 1);
  let queue: WriteJob<T, R>[] = [];
  let inFlight = 0;
  let scheduled = false;
  let idle: (() => void)[] = [];

  const settleIdle = (): void => {
    if (inFlight > 0 || queue.length > 0 || scheduled) return;
    const waiting = idle;
    idle = [];
    for (const w of waiting) w();
  };

  const commitGroup = async (group: WriteJob<T, R>[]): Promise<void> => {
    try {
      await options.commit(group);
    } catch (error) {
      for (const job of group) job.reject(error);
    } finally {
      inFlight -= 1;
      schedule();
      settleIdle();
    }
  };

  // Hands queued jobs over as one group while fewer than maxGroupsInFlight are being committed;
  // jobs that arrive meanwhile form the next group.
  const start = (): void => {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const group = queue;
      queue = [];
      inFlight += 1;
      void commitGroup(group);
    }
    settleIdle();
  };

  function schedule(): void {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    // setImmediate lets every request already read by the event loop join this group.
    setImmediate(start);
  }

  return {
    push(input: T): Promise<R> {
      if (queue.length >= maxPending) return Promise.reject(options.overloaded());
      return new Promise<R>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        schedule();
      });
    },
    drain(): Promise<void> {
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        settleIdle();
      });
    },
    get pending() {
      return queue.length;
    },
  };
}
