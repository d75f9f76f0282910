// One page of a run list from rows fetched with LIMIT page size + 1: the extra row only says
// that there is a next page, whose cursor is the last row kept. Both engines page this way.
import type { RunRecord } from '@vigil/protocol';
import type { RunPage } from './store.js';

export function toRunPage<Row extends { ts: number | string; run_id: string }>(
  rows: Row[],
  limit: number,
  toRecord: (row: Row) => RunRecord,
): RunPage {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    runs: page.map(toRecord),
    next_cursor: more && last ? { timestamp: Number(last.ts), run_id: last.run_id } : null,
  };
}
