// One bounded queue and one send loop per channel, so a channel that hangs or fails delays only
// itself: evaluation only enqueues, and other channels keep their own pace. When the queue is
// full the OLDEST message is dropped (and counted): a notification describes a group's current
// state, so the newest one is the one worth delivering.
import type { SendResult } from './export-result.js';

/** Messages waiting per channel. A full queue means the receiver has been failing for a while. */
export const DEFAULT_MAX_QUEUE_SIZE = 256;

export interface QueuedMessage {
  body: unknown;
  /** Called once: with the final send result, or with 'dropped'. Must not throw. */
  done(result: SendResult | 'dropped'): void;
}

export interface ChannelCounters {
  sent: number;
  failed: number;
  dropped: number;
}

export interface ChannelQueue {
  readonly name: string;
  readonly counters: Readonly<ChannelCounters>;
  readonly length: number;
  push(message: QueuedMessage): void;
  /** Resolves when the queue is empty and nothing is in flight. */
  idle(): Promise<void>;
  /** Drops what is queued (counted) and waits for the message in flight. */
  close(): Promise<void>;
}

export function createChannelQueue(options: {
  name: string;
  send: (body: unknown) => Promise<SendResult>;
  maxQueueSize?: number;
  onDrop?: (count: number) => void;
}): ChannelQueue {
  const max = Math.max(1, options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE);
  const queue: QueuedMessage[] = [];
  const counters: ChannelCounters = { sent: 0, failed: 0, dropped: 0 };
  let loop: Promise<void> | null = null;
  let closed = false;

  async function run(): Promise<void> {
    for (let m = queue.shift(); m; m = queue.shift()) {
      const result = await options.send(m.body);
      if (result.kind === 'success') counters.sent++;
      else counters.failed++;
      m.done(result);
    }
    loop = null;
  }

  function drop(m: QueuedMessage): void {
    counters.dropped++;
    options.onDrop?.(counters.dropped);
    m.done('dropped');
  }

  return {
    name: options.name,
    counters,
    get length() {
      return queue.length;
    },
    push(message) {
      if (closed) return drop(message);
      if (queue.length >= max) drop(queue.shift()!);
      queue.push(message);
      loop ??= run();
    },
    async idle() {
      while (loop) await loop;
    },
    async close() {
      closed = true;
      for (let m = queue.shift(); m; m = queue.shift()) drop(m);
      while (loop) await loop;
    },
  };
}
