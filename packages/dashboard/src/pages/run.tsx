// Run: what happened in one run, in order. The timeline of iterations and tool calls, the state
// transitions, the error, each tool call's detail, and links to the agent and the session's runs.
import { Fragment } from 'preact';
import { withQuery } from '../api/client';
import { useApi } from '../api/use-api';
import type { Run, RunPage as RunPageBody } from '../api/types';
import { hrefWithRange, useQueryState } from '../state/query';
import { RunStatus, ToolStatusBadge } from '../ui/badges';
import { fmtInt, fmtMs, fmtTime, fmtUsd } from '../ui/format';
import { Kpi, LoadState } from '../ui/kpi';
import { RunTimeline } from './run-timeline';

const WEEK_MS = 7 * 24 * 3600_000;

export function RunPage(props: { params?: { id?: string } }) {
  const id = props.params?.id ?? '';
  const { query } = useQueryState();
  const run = useApi<Run>(`/api/runs/${encodeURIComponent(id)}`);
  const r = run.data && run.data.run_id === id ? run.data : undefined;
  const sessionRuns = useApi<RunPageBody>(
    r?.session_id
      ? withQuery('/api/runs', {
          session_id: r.session_id,
          from: new Date(Date.parse(r.timestamp) - WEEK_MS).toISOString(),
          to: new Date(Date.parse(r.timestamp) + WEEK_MS).toISOString(),
          limit: 20,
        })
      : null,
  );

  if (!r) {
    const notFound = run.error && 'status' in run.error && (run.error as { status: number }).status === 404;
    return (
      <>
        <h1 class="mono break">{id}</h1>
        {notFound ? <div class="notice bad">No run with this id.</div> : <LoadState loading={true} error={run.error} />}
      </>
    );
  }

  const t0 = Date.parse(r.timestamp);
  return (
    <>
      <div class="page-head">
        <div>
          <p class="small">
            <a href={hrefWithRange(`/agents/${encodeURIComponent(r.agent_name)}`, query)}>{r.agent_name}</a> ›{' '}
            <a href={hrefWithRange('/runs', query, { agent_name: r.agent_name })}>runs</a> ›
          </p>
          <h1 class="mono break">{r.run_id}</h1>
          <p>
            <RunStatus status={r.completion_status} /> <span class="muted">started {fmtTime(r.timestamp)}</span>
          </p>
        </div>
      </div>
      <div class="kpis">
        <Kpi label="Duration" value={fmtMs(r.duration_ms)} />
        <Kpi label="Iterations" value={fmtInt(r.iterations)} />
        <Kpi label="Tool calls" value={fmtInt(r.tool_calls.length)} tone={r.tool_calls.some((c) => c.status !== 'success') ? 'warn' : undefined} />
        <Kpi label="Tokens" value={fmtInt(r.tokens_used)} title={`input ${r.tokens.input}, output ${r.tokens.output}, cached ${r.tokens.cached_input}, reasoning ${r.tokens.reasoning}`} />
        <Kpi label="Cost" value={r.cost_usd === null ? 'unknown' : fmtUsd(r.cost_usd)} />
      </div>
      {r.error ? (
        <section class="panel">
          <h2>Error</h2>
          <div class="errbox" data-testid="run-error">
            <strong>{r.error.type ?? 'error'}</strong>
            {r.error.message ? `: ${r.error.message}` : ''}
          </div>
        </section>
      ) : null}
      <section class="panel">
        <h2>Timeline</h2>
        <RunTimeline run={r} />
      </section>
      <section class="panel">
        <h2>State transitions</h2>
        {r.transitions.length === 0 ? (
          <div class="empty">No transitions recorded.</div>
        ) : (
          <ol class="transitions" data-testid="transitions" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {r.transitions.map((t, i) => (
              <li key={i} class="nowrap">
                {i > 0 ? <span class="arrow" aria-hidden="true">→ </span> : null}
                <code>{t.state}</code> <span class="muted small">+{fmtMs(Date.parse(t.at) - t0)}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
      {r.tool_calls.length > 0 ? (
        <section class="panel">
          <h2>Tool calls</h2>
          <div class="table-wrap">
            <table data-testid="tool-calls">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Tool</th>
                  <th>Status</th>
                  <th class="num">Duration</th>
                  <th class="hide-narrow">Arguments hash</th>
                  <th>Error</th>
                </tr>
              </thead>
              <tbody>
                {r.tool_calls.map((c, i) => (
                  <tr key={i}>
                    <td class="muted">{i + 1}</td>
                    <td><code>{c.name}</code></td>
                    <td><ToolStatusBadge status={c.status} /></td>
                    <td class="num">{fmtMs(c.duration_ms)}</td>
                    <td class="hide-narrow mono small">{c.args_hash ?? '–'}</td>
                    <td class="small">{c.error ? `${c.error.type ?? 'error'}${c.error.message ? `: ${c.error.message}` : ''}` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      <section class="panel">
        <h2>Details</h2>
        <dl class="props">
          <dt>Agent</dt>
          <dd><a href={hrefWithRange(`/agents/${encodeURIComponent(r.agent_name)}`, query)}>{r.agent_name}</a></dd>
          <dt>Model</dt>
          <dd>{r.model ?? '–'}</dd>
          <dt>Ended</dt>
          <dd>{fmtTime(r.ended_at)}</dd>
          <dt>Tokens</dt>
          <dd>
            {fmtInt(r.tokens.input)} input ({fmtInt(r.tokens.cached_input)} cached), {fmtInt(r.tokens.output)} output ({fmtInt(r.tokens.reasoning)} reasoning)
          </dd>
          <dt>Environment</dt>
          <dd>{r.environment ?? '–'}</dd>
          <dt>Release</dt>
          <dd>{r.release ?? '–'}</dd>
          <dt>Session</dt>
          <dd>{r.session_id ? <a href={hrefWithRange('/runs', query, { session_id: r.session_id })}>{r.session_id}</a> : '–'}</dd>
          <dt>User</dt>
          <dd>{r.user_id ?? '–'}</dd>
          {Object.entries(r.tags).map(([k, v]) => (
            <Fragment key={k}>
              <dt>tag {k}</dt>
              <dd>{v}</dd>
            </Fragment>
          ))}
        </dl>
      </section>
      {r.session_id ? (
        <section class="panel">
          <h2>Other runs in this session</h2>
          <LoadState loading={sessionRuns.loading && !sessionRuns.data} error={sessionRuns.error} />
          {sessionRuns.data ? (
            <ul>
              {sessionRuns.data.runs.filter((x) => x.run_id !== r.run_id).map((x) => (
                <li key={x.run_id}>
                  <a class="mono" href={hrefWithRange(`/runs/${encodeURIComponent(x.run_id)}`, query)}>{x.run_id}</a> <RunStatus status={x.completion_status} />{' '}
                  <span class="muted small">{fmtTime(x.timestamp)}</span>
                </li>
              ))}
              {sessionRuns.data.runs.length <= 1 ? <li class="muted">None.</li> : null}
            </ul>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
