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
  /** Called with an error when the queue is full; the error is what push() rejects with. */
  overloaded: () => Error;
}

export function createWriteQueue<T, R>(options: WriteQueueOptions<T, R>): WriteQueue<T, R> {
  const maxPending = options.maxPendingJobs ?? DEFAULT_MAX_PENDING_JOBS;
  let queue: WriteJob<T, R>[] = [];
  let running: Promise<void> | null = null;

  // One flush at a time; jobs that arrive during a flush form the next group.
  const flush = async (): Promise<void> => {
    while (queue.length > 0) {
      const group = queue;
      queue = [];
      try {
        await options.commit(group);
      } catch (error) {
        for (const job of group) job.reject(error);
      }
    }
    running = null;
  };

  const schedule = (): void => {
    if (running) return;
    // setImmediate lets every request already read by the event loop join this group.
    running = new Promise<void>((resolve) => setImmediate(() => void flush().then(resolve)));
  };

  return {
    push(input: T): Promise<R> {
      if (queue.length >= maxPending) return Promise.reject(options.overloaded());
      return new Promise<R>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        schedule();
      });
    },
    async drain(): Promise<void> {
      while (running) await running;
    },
    get pending() {
      return queue.length;
    },
  };
}
