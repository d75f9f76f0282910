// A Store that tells `onWritten` about every run it committed, for the fleet metrics. It wraps
// any engine unchanged (a Proxy forwards everything else), so ingest paths added later (OTLP)
// are counted without knowing about metrics.
import type { RunRecord } from '@vigil/protocol';
import type { Store } from '../store/store.js';

export function observeWrites(store: Store, onWritten: (projectId: number, runs: readonly RunRecord[]) => void): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'writeRuns') {
        return async (...args: Parameters<Store['writeRuns']>) => {
          const result = await target.writeRuns(...args);
          try {
            onWritten(args[0], args[1]);
          } catch {
            // Metrics must never fail a write that has committed.
          }
          return result;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
