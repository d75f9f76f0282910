// Fetches a read-API path and refetches when the path changes or live refresh ticks. The last
// answer stays on screen while the next one loads, so live refresh never flickers.
import { useEffect, useState } from 'preact/hooks';
import { useLive } from '../state/live';
import { api } from './client';

export interface ApiState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
}

export function useApi<T>(path: string | null): ApiState<T> {
  const { now } = useLive();
  const [state, setState] = useState<ApiState<T>>({ data: undefined, error: undefined, loading: path !== null });

  useEffect(() => {
    if (path === null) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ data: s.data, error: undefined, loading: true }));
    api<T>(path, { signal: controller.signal }).then(
      (data) => setState({ data, error: undefined, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ data: s.data, error: error as Error, loading: false }));
      },
    );
    return () => controller.abort();
    // `now` re-runs the fetch on every live tick even when the path is the same (custom ranges).
  }, [path, now]);

  return state;
}
