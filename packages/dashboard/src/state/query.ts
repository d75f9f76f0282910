// View state lives in the URL query, so a copied link reproduces the view. This hook reads it and
// writes patches back (empty values are removed; history gets one entry per user change).
import { useLocation } from 'preact-iso';
import { useCallback } from 'preact/hooks';

export type QueryPatch = Record<string, string | number | null | undefined>;

export function useQueryState() {
  const location = useLocation();
  const setQuery = useCallback(
    (patch: QueryPatch, opts: { replace?: boolean } = {}) => {
      const params = new URLSearchParams(location.query);
      for (const [k, v] of Object.entries(patch)) {
        if (v === null || v === undefined || v === '') params.delete(k);
        else params.set(k, String(v));
      }
      const s = params.toString();
      location.route(s ? `${location.path}?${s}` : location.path, opts.replace);
    },
    [location],
  );
  return { query: location.query, path: location.path, setQuery, route: location.route };
}

/** A link to `path` that carries the shared view state (the time range) along. */
export function hrefWithRange(path: string, query: Record<string, string>, extra: QueryPatch = {}): string {
  const params = new URLSearchParams();
  for (const k of ['range', 'from', 'to']) if (query[k]) params.set(k, query[k]);
  for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}
