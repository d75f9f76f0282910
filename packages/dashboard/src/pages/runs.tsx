// Runs: filter by agent, status, tool and the shared time range; find one by run id; page with the
// API's cursor. Filters use the API's parameter names in the URL (agent_name, completion_status,
// tool, session_id), so links in alert notifications open the same view; the page position is
// `cursor`, with `prev` for going back.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiRequestError, withQuery } from '../api/client';
import { useApi } from '../api/use-api';
import { COMPLETION_STATUSES, type AgentsResponse, type Run, type RunPage } from '../api/types';
import { useLive } from '../state/live';
import { hrefWithRange, useQueryState } from '../state/query';
import { useTimeRange } from '../state/time-range';
import { RunStatus, ToolStatusBadge } from '../ui/badges';
import { fmtAgo, fmtInt, fmtMs, fmtTime, fmtUsd } from '../ui/format';
import { DataTable } from '../ui/data-table';

export const PAGE_SIZE = 50;
const FAILED = 'error,timeout,iteration_limit,gave_up,cancelled';

export function RunsPage() {
  const { query, setQuery, route } = useQueryState();
  const { range } = useTimeRange();
  const { now } = useLive();
  const agents = useApi<AgentsResponse>(withQuery('/api/agents', range.params));
  const [tool, setTool] = useState(query.tool ?? '');
  useEffect(() => setTool(query.tool ?? ''), [query.tool]);
  const [findId, setFindId] = useState('');
  const [findError, setFindError] = useState<string | null>(null);

  const page = useApi<RunPage>(
    withQuery('/api/runs', {
      agent_name: query.agent_name,
      completion_status: query.completion_status,
      tool: query.tool,
      session_id: query.session_id,
      limit: PAGE_SIZE,
      cursor: query.cursor,
      ...range.params,
    }),
  );
  const prev = query.prev ? query.prev.split(',') : [];
  const pageNumber = prev.length + 1;

  const filter = (patch: Record<string, string | null>) => setQuery({ ...patch, cursor: null, prev: null });
  const next = () => page.data?.next_cursor && setQuery({ cursor: page.data.next_cursor, prev: [...prev, query.cursor ?? '-'].join(',') });
  const back = () => {
    const p = [...prev];
    const c = p.pop();
    setQuery({ cursor: c === '-' ? null : c, prev: p.length ? p.join(',') : null });
  };

  const find = async (e: Event) => {
    e.preventDefault();
    const id = findId.trim();
    if (!id) return;
    setFindError(null);
    try {
      await api<Run>(`/api/runs/${encodeURIComponent(id)}`);
      route(hrefWithRange(`/runs/${encodeURIComponent(id)}`, query));
    } catch (err) {
      setFindError(err instanceof ApiRequestError && err.status === 404 ? `No run with id “${id}”.` : (err as Error).message);
    }
  };

  const agentNames = (agents.data?.agents ?? []).map((a) => a.agent_name).sort();
  if (query.agent_name && !agentNames.includes(query.agent_name)) agentNames.unshift(query.agent_name);

  return (
    <>
      <div class="page-head">
        <div>
          <h1>Runs</h1>
          <p class="muted">Newest first. Open a run to see its timeline.</p>
        </div>
        <form class="filters" onSubmit={find} role="search" aria-label="Find a run by id">
          <label class="field">
            Find by run id
            <input value={findId} onInput={(e) => setFindId(e.currentTarget.value)} placeholder="run id" />
          </label>
          <button type="submit">Open</button>
        </form>
      </div>
      {findError ? <div class="notice bad" role="alert">{findError}</div> : null}
      <form class="filters" aria-label="Filter runs" onSubmit={(e) => { e.preventDefault(); filter({ tool: tool.trim() || null }); }}>
        <label class="field">
          Agent
          <select value={query.agent_name ?? ''} onChange={(e) => filter({ agent_name: e.currentTarget.value || null })} name="agent_name">
            <option value="">All agents</option>
            {agentNames.map((n) => (
              <option key={n} value={n}>{n}</option>
            ))}
          </select>
        </label>
        <label class="field">
          Status
          <select value={query.completion_status ?? ''} onChange={(e) => filter({ completion_status: e.currentTarget.value || null })} name="completion_status">
            <option value="">Any status</option>
            <option value={FAILED}>Any failure</option>
            {COMPLETION_STATUSES.map((s) => (
              <option key={s} value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label class="field">
          Tool called
          <input name="tool" value={tool} onInput={(e) => setTool(e.currentTarget.value)} placeholder="tool name" />
        </label>
        <button type="submit">Apply</button>
        {query.agent_name || query.completion_status || query.tool || query.session_id ? (
          <button type="button" class="link" onClick={() => { setTool(''); filter({ agent_name: null, completion_status: null, tool: null, session_id: null }); }}>
            Clear filters
          </button>
        ) : null}
      </form>
      {query.session_id ? (
        <div class="notice">
          Runs of session <code>{query.session_id}</code>
        </div>
      ) : null}
      <section class="panel">
        <DataTable
          state={page}
          rows={page.data?.runs}
          emptyText="No runs match these filters in this time range."
          testId="runs-table"
          head={
            <>
              <th>Started</th>
              <th>Run</th>
              <th>Agent</th>
              <th>Status</th>
              <th class="num">Duration</th>
              <th class="num hide-narrow">Iterations</th>
              <th class="num hide-narrow">Tokens</th>
              <th class="num hide-narrow">Cost</th>
              <th class="hide-narrow">Tool calls</th>
            </>
          }
          row={(r) => (
            <tr key={r.run_id} data-run-id={r.run_id}>
              <td class="nowrap" title={fmtTime(r.timestamp)}>{fmtAgo(r.timestamp, now)}</td>
              <td>
                <a class="mono break" href={hrefWithRange(`/runs/${encodeURIComponent(r.run_id)}`, query)}>{r.run_id}</a>
              </td>
              <td>
                <a href={hrefWithRange(`/agents/${encodeURIComponent(r.agent_name)}`, query)}>{r.agent_name}</a>
              </td>
              <td><RunStatus status={r.completion_status} /></td>
              <td class="num">{fmtMs(r.duration_ms)}</td>
              <td class="num hide-narrow">{fmtInt(r.iterations)}</td>
              <td class="num hide-narrow">{fmtInt(r.tokens_used)}</td>
              <td class="num hide-narrow">{fmtUsd(r.cost_usd)}</td>
              <td class="hide-narrow small">
                <ToolSummary calls={r.tool_calls} />
              </td>
            </tr>
          )}
        />
        <nav class="pager" aria-label="Pages">
          <span class="muted small">Page {pageNumber}</span>
          <button type="button" onClick={back} disabled={prev.length === 0}>← Newer</button>
          <button type="button" onClick={next} disabled={!page.data?.next_cursor}>Older →</button>
        </nav>
      </section>
    </>
  );
}

/** Tool calls of a run, collapsed: each distinct tool once, with its worst status and a count. */
function ToolSummary(props: { calls: Run['tool_calls'] }) {
  const byName = new Map<string, { n: number; worst: 'success' | 'error' | 'timeout' }>();
  const rank = { success: 0, error: 1, timeout: 2 } as const;
  for (const c of props.calls) {
    const cur = byName.get(c.name);
    if (!cur) byName.set(c.name, { n: 1, worst: c.status });
    else byName.set(c.name, { n: cur.n + 1, worst: rank[c.status] > rank[cur.worst] ? c.status : cur.worst });
  }
  if (byName.size === 0) return <span class="muted">none</span>;
  return (
    <span class="labels">
      {[...byName].map(([name, v]) => (
        <span key={name} class="nowrap">
          <code>{name}</code>
          {v.n > 1 ? `×${v.n}` : ''} {v.worst !== 'success' ? <ToolStatusBadge status={v.worst} /> : null}
        </span>
      ))}
    </span>
  );
}
