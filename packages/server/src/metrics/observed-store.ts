// A Store that tells `onWritten` about every run it committed, for the fleet metrics. It wraps
// any engine unchanged (a Proxy forwards everything else), so ingest paths added later (OTLP)
// are counted without knowing about metrics.
import type { RunRecord } from '@vigil/protocol';
import type { Store } from '../store/store.js';

export function observeWrites(store: Store, onWritten: (projectId: number, runs: readonly RunRecord[]) => void): Store {
  // Built once, not per property read: writeRuns is on every ingest request's path.
  const writeRuns = async (...args: Parameters<Store['writeRuns']>) => {
    const result = await store.writeRuns(...args);
    try {
      onWritten(args[0], args[1]);
    } catch {
      // Metrics must never fail a write that has committed.
    }
    return result;
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'writeRuns') return writeRuns;
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      let fn = bound.get(prop);
      if (fn === undefined) {
        fn = (value as (...a: unknown[]) => unknown).bind(target);
        bound.set(prop, fn);
      }
      return fn;
    },
  });
}
