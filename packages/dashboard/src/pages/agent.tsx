// Agent: its headline numbers, charts over the time range (runs and success, latency
// percentiles, tokens per run by type, cost, iterations, tool errors), completion statuses, the
// tools table with never-used and overused flags, firing alerts and recent failed runs.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { withQuery } from '../api/client';
import { fetchSeries, METRIC, type SeriesSet } from '../api/series';
import { useApi } from '../api/use-api';
import { COMPLETION_STATUSES, type AgentsResponse, type Alert, type CompletionStatus, type RunPage, type ToolUsage } from '../api/types';
import { hrefWithRange, useQueryState } from '../state/query';
import { useTheme } from '../state/theme';
import { useTimeRange, type TimeRange } from '../state/time-range';
import { AlertStateBadge, Rate, RunStatus } from '../ui/badges';
import { TimeChart, type ChartSeries } from '../ui/chart';
import { fmtAgo, fmtInt, fmtMs, fmtNum, fmtPct, fmtUsd } from '../ui/format';
import { Kpi, LoadState } from '../ui/kpi';
import { DataTable } from '../ui/data-table';
import { useLive } from '../state/live';

const FAILED: CompletionStatus[] = ['error', 'timeout', 'iteration_limit', 'gave_up', 'cancelled'];
const ALL_METRICS = Object.values(METRIC);

/** Loads every chart metric of one agent in one request; refetched on each live tick. */
function useAgentSeries(agent: string, range: TimeRange) {
  const { now } = useLive();
  const [state, setState] = useState<{ set: SeriesSet | null; error?: Error } | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetchSeries(agent, ALL_METRICS, range.params, undefined, controller.signal).then(
      (set) => setState({ set }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ set: s?.set ?? null, error: error as Error }));
      },
    );
    return () => controller.abort();
  }, [agent, range.params.from, range.params.to, now]);
  return state;
}

function ChartPanel(props: { title: string; x: number[]; series: ChartSeries[]; format: (v: number) => string; formatRight?: (v: number) => string; theme: string }) {
  const hasData = props.series.some((s) => s.values.some((v) => v !== null && v !== 0));
  return (
    <section class="panel">
      <h2>{props.title}</h2>
      {props.x.length === 0 || !hasData ? (
        <div class="empty">No data in this time range.</div>
      ) : (
        <TimeChart x={props.x} series={props.series} format={props.format} formatRight={props.formatRight} theme={props.theme} ariaLabel={props.title} />
      )}
    </section>
  );
}

const fmtCount = (v: number) => fmtInt(v);
const fmtRate = (v: number) => fmtPct(v, 0);
const fmtLatency = (v: number) => fmtMs(v);
const fmtCost = (v: number) => fmtUsd(v);
const fmtIter = (v: number) => fmtNum(v, 1);

export function AgentPage(props: { name?: string; params?: { name?: string } }) {
  const agent = props.params?.name ?? props.name ?? '';
  const { query } = useQueryState();
  const { range } = useTimeRange();
  const { theme } = useTheme();
  const { now } = useLive();
  const summaries = useApi<AgentsResponse>(withQuery('/api/agents', range.params));
  const tools = useApi<{ tools: ToolUsage[] }>(withQuery(`/api/agents/${encodeURIComponent(agent)}/tools`, range.params));
  const failed = useApi<RunPage>(withQuery('/api/runs', { agent_name: agent, completion_status: FAILED.join(','), limit: 10, ...range.params }));
  const alerts = useApi<{ alerts: Alert[] }>('/api/alerts');
  const series = useAgentSeries(agent, range);

  const s = summaries.data?.agents.find((a) => a.agent_name === agent);
  const agentAlerts = (alerts.data?.alerts ?? []).filter((a) => a.labels.agent === agent && a.state !== 'resolved');

  const set = series?.set ?? null;
  const charts = useMemo(() => {
    if (!set) return null;
    const g = (k: string) => set.byMetric.get(k) ?? new Array<number | null>(set.x.length).fill(null);
    return {
      runs: [
        { label: 'Runs', values: g(METRIC.runs), color: 1, bars: true },
        { label: 'Success rate', values: g(METRIC.successRate), color: 2, right: true },
      ] satisfies ChartSeries[],
      latency: [
        { label: 'p50', values: g(METRIC.p50), color: 2 },
        { label: 'p95', values: g(METRIC.p95), color: 5 },
        { label: 'p99', values: g(METRIC.p99), color: 3 },
      ] satisfies ChartSeries[],
      tokens: [
        { label: 'Input', values: g(METRIC.inputTokens), color: 1 },
        { label: 'Output', values: g(METRIC.outputTokens), color: 4 },
        { label: 'Cached input', values: g(METRIC.cachedTokens), color: 6 },
        { label: 'Reasoning', values: g(METRIC.reasoningTokens), color: 5 },
      ] satisfies ChartSeries[],
      cost: [{ label: 'Cost', values: g(METRIC.cost), color: 4, fill: true }] satisfies ChartSeries[],
      iterations: [
        { label: 'Iterations per run', values: g(METRIC.iterations), color: 1 },
        { label: 'Tool error rate', values: g(METRIC.toolErrorRate), color: 3, right: true },
        { label: 'Tool timeout rate', values: g(METRIC.toolTimeoutRate), color: 5, right: true },
      ] satisfies ChartSeries[],
    };
  }, [set]);

  const statusCounts = s?.status_counts ?? {};
  const statusTotal = COMPLETION_STATUSES.reduce((t, st) => t + (statusCounts[st] ?? 0), 0);

  return (
    <>
      <div class="page-head">
        <div>
          <p class="small">
            <a href={hrefWithRange('/', query)}>Fleet</a> ›
          </p>
          <h1>{agent}</h1>
        </div>
        <div class="actions">
          <a href={hrefWithRange('/runs', query, { agent_name: agent })}>All runs of this agent →</a>
        </div>
      </div>
      {agentAlerts.length > 0 ? (
        <div class="notice bad" role="status">
          {agentAlerts.map((a) => (
            <div key={`${a.alertname}-${a.labels.tool ?? ''}-${a.startsAt}`}>
              <AlertStateBadge state={a.state} silenced={a.silenced} /> <strong>{a.alertname}</strong>
              {a.labels.tool ? <> on <code>{a.labels.tool}</code></> : null}: {a.annotations.summary ?? ''}{' '}
              <a href={hrefWithRange('/alerts', query, { agent })}>details</a>
            </div>
          ))}
        </div>
      ) : null}
      <LoadState loading={summaries.loading && !summaries.data} error={summaries.error} />
      {summaries.data && !s ? <div class="notice">This agent has no runs in the selected time range.</div> : null}
      {s ? (
        <div class="kpis" data-testid="agent-kpis">
          <Kpi label="Runs" value={fmtInt(s.runs)} />
          <Kpi label="Success rate" value={fmtPct(s.success_rate)} tone={s.success_rate < 0.95 ? 'bad' : undefined} />
          <Kpi label="p50 / p95 latency" value={`${fmtMs(s.p50_latency_ms)} / ${fmtMs(s.p95_latency_ms)}`} />
          <Kpi label="Tokens per run" value={fmtInt(s.avg_tokens)} />
          <Kpi
            label={(s.unpriced_runs ?? 0) > 0 ? `Cost (${s.unpriced_runs} runs unpriced)` : 'Cost'}
            value={(s.priced_runs ?? 1) === 0 && (s.unpriced_runs ?? 0) > 0 ? 'unpriced' : fmtUsd(s.cost_usd)}
            title={(s.unpriced_models ?? []).length > 0 ? `not in the price table: ${s.unpriced_models!.join(', ')} (add under pricing: in vigil.yaml)` : undefined}
          />
          <Kpi label="Iterations per run" value={fmtNum(s.avg_iterations)} />
          <Kpi label="Tool error rate" value={fmtPct(s.tool_error_rate)} tone={s.tool_error_rate > 0.05 ? 'warn' : undefined} />
        </div>
      ) : null}

      {series?.error ? <div class="notice bad">Could not load charts: {series.error.message}</div> : null}
      {charts && set ? (
        <div class="grid">
          <ChartPanel title="Runs and success rate" x={set.x} series={charts.runs} format={fmtCount} formatRight={fmtRate} theme={theme} />
          <ChartPanel title="Latency (p50, p95, p99)" x={set.x} series={charts.latency} format={fmtLatency} theme={theme} />
          <ChartPanel title="Tokens per run, by type" x={set.x} series={charts.tokens} format={fmtCount} theme={theme} />
          <ChartPanel title="Cost" x={set.x} series={charts.cost} format={fmtCost} theme={theme} />
          <ChartPanel title="Iterations per run and tool failures" x={set.x} series={charts.iterations} format={fmtIter} formatRight={fmtRate} theme={theme} />
          <section class="panel">
            <h2>Completion status</h2>
            {statusTotal === 0 ? (
              <div class="empty">No runs in this time range.</div>
            ) : (
              <StatusBreakdown counts={statusCounts} total={statusTotal} agent={agent} query={query} />
            )}
          </section>
        </div>
      ) : (
        !series?.error && <div class="empty">Loading charts…</div>
      )}

      <section class="panel" style={{ marginTop: '1rem' }}>
        <h2>Tools</h2>
        <DataTable
          state={tools}
          rows={tools.data?.tools}
          emptyText="No tool calls and no declared tools."
          testId="tools-table"
          head={
            <>
              <th>Tool</th>
              <th class="num">Calls</th>
              <th class="num hide-narrow">Calls / run</th>
              <th class="num">Error rate</th>
              <th class="num hide-narrow">Timeout rate</th>
              <th class="num hide-narrow">p95 duration</th>
              <th>Flags</th>
            </>
          }
          row={(t) => (
            <tr key={t.tool} data-tool={t.tool}>
              <td class="name-cell">
                <a href={hrefWithRange('/runs', query, { agent_name: agent, tool: t.tool })}>
                  <code>{t.tool}</code>
                </a>
                {t.declared ? null : <span class="muted small"> (not declared)</span>}
              </td>
              <td class="num">{fmtInt(t.calls)}</td>
              <td class="num hide-narrow">{fmtNum(t.calls_per_run, 2)}</td>
              <td class="num">{fmtPct(t.error_rate)}</td>
              <td class="num hide-narrow">{fmtPct(t.timeout_rate)}</td>
              <td class="num hide-narrow">{fmtMs(t.p95_duration_ms)}</td>
              <td>
                {t.never_used ? <span class="badge neutral" title="Declared in the agent's config, not called in this range">never used</span> : null}{' '}
                {t.overused ? <span class="badge warn" title={(t.overuse_reasons ?? []).join('; ') || 'Called far more per run than usual, or repeatedly with the same arguments'}>overused</span> : null}
              </td>
            </tr>
          )}
        />
      </section>

      <section class="panel">
        <h2>Recent failed runs</h2>
        <DataTable
          state={failed}
          rows={failed.data?.runs}
          emptyText="No failed runs in this time range."
          head={
            <>
              <th>Run</th>
              <th>Status</th>
              <th class="hide-narrow">Error</th>
              <th class="num hide-narrow">Duration</th>
              <th>When</th>
            </>
          }
          row={(r) => (
            <tr key={r.run_id}>
              <td>
                <a class="mono" href={hrefWithRange(`/runs/${encodeURIComponent(r.run_id)}`, query)}>{r.run_id}</a>
              </td>
              <td><RunStatus status={r.completion_status} /></td>
              <td class="small hide-narrow">{r.error ? `${r.error.type ?? 'error'}: ${r.error.message ?? ''}` : failedTool(r.tool_calls)}</td>
              <td class="num hide-narrow">{fmtMs(r.duration_ms)}</td>
              <td class="nowrap">{fmtAgo(r.timestamp, now)}</td>
            </tr>
          )}
        />
        <p>
          <a href={hrefWithRange('/runs', query, { agent_name: agent, completion_status: FAILED.join(',') })}>All failed runs of {agent} →</a>
        </p>
      </section>
    </>
  );
}

function failedTool(calls: { name: string; status: string }[]): string {
  const bad = calls.filter((c) => c.status !== 'success');
  return bad.length === 0 ? '' : bad.map((c) => `${c.name} ${c.status}`).join(', ');
}

function StatusBreakdown(props: { counts: Partial<Record<CompletionStatus, number>>; total: number; agent: string; query: Record<string, string> }) {
  const tone: Record<CompletionStatus, string> = {
    success: 'var(--chart-2)',
    error: 'var(--chart-3)',
    timeout: 'var(--chart-5)',
    iteration_limit: 'var(--chart-4)',
    gave_up: 'var(--warn)',
    cancelled: 'var(--muted)',
  };
  return (
    <>
      <div style={{ display: 'flex', height: '14px', borderRadius: '4px', overflow: 'hidden', margin: '0.3rem 0 0.8rem' }} aria-hidden="true">
        {COMPLETION_STATUSES.map((st) =>
          props.counts[st] ? <div key={st} style={{ width: `${((props.counts[st] ?? 0) / props.total) * 100}%`, background: tone[st] }} /> : null,
        )}
      </div>
      <table>
        <tbody>
          {COMPLETION_STATUSES.map((st) => (
            <tr key={st}>
              <td><RunStatus status={st} /></td>
              <td class="num">
                {props.counts[st] ? (
                  <a href={hrefWithRange('/runs', props.query, { agent_name: props.agent, completion_status: st })}>{fmtInt(props.counts[st])}</a>
                ) : (
                  '0'
                )}
              </td>
              <td class="num muted">{fmtPct((props.counts[st] ?? 0) / props.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="small muted">
        Success rate <Rate value={(props.counts.success ?? 0) / props.total} /> of {fmtInt(props.total)} runs.
      </p>
    </>
  );
}
