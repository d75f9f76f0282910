// A fetched list as a table: loading, error and empty said in words (LoadState), otherwise the
// table in its scrolling wrapper. Pages give the header cells and one row per item; this
// component decides nothing about what a row shows.
import type { ComponentChildren, VNode } from 'preact';
import type { ApiState } from '../api/use-api';
import { LoadState } from './kpi';

export function DataTable<T>(props: {
  /** The fetch behind the rows: "Loading…" until its first answer, its error when it fails. */
  state: ApiState<unknown>;
  /** The rows to show; an empty list shows `emptyText`, undefined shows nothing more. */
  rows: readonly T[] | undefined;
  emptyText: string;
  testId?: string;
  /** The header cells (`<th>`s). */
  head: ComponentChildren;
  row(item: T, index: number): VNode;
}) {
  const { state, rows } = props;
  return (
    <>
      <LoadState loading={state.loading && !state.data} error={state.error} empty={rows?.length === 0} emptyText={props.emptyText} />
      {rows && rows.length > 0 ? (
        <div class="table-wrap">
          <table data-testid={props.testId}>
            <thead>
              <tr>{props.head}</tr>
            </thead>
            <tbody>{rows.map((item, i) => props.row(item, i))}</tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
