// Fleet: every agent in the time range with its health at a glance, sortable, with firing alerts
// and a trend line. The table renders from one request; the sparklines fill in after it.
import { useMemo } from 'preact/hooks';
import { withQuery } from '../api/client';
import { useApi } from '../api/use-api';
import type { AgentSummary, AgentsResponse, Alert } from '../api/types';
import { hrefWithRange, useQueryState } from '../state/query';
import { useTimeRange } from '../state/time-range';
import { Cost, Rate } from '../ui/badges';
import { fmtCompact, fmtInt, fmtMs, fmtNum, fmtPct, fmtUsd } from '../ui/format';
import { Kpi } from '../ui/kpi';
import { DataTable } from '../ui/data-table';
import { Sparkline } from '../ui/sparkline';
import { useSparklines } from '../ui/use-sparklines';

type SortKey = 'agent_name' | 'runs' | 'success_rate' | 'p95_latency_ms' | 'avg_tokens' | 'cost_usd' | 'alerts';

const COLUMNS: { key: SortKey; label: string; num: boolean; narrow?: boolean }[] = [
  { key: 'agent_name', label: 'Agent', num: false },
  { key: 'runs', label: 'Runs', num: true },
  { key: 'success_rate', label: 'Success', num: true },
  { key: 'p95_latency_ms', label: 'p95 latency', num: true, narrow: true },
  { key: 'avg_tokens', label: 'Tokens / run', num: true, narrow: true },
  { key: 'cost_usd', label: 'Cost', num: true, narrow: true },
  { key: 'alerts', label: 'Alerts', num: false },
];

export function FleetPage() {
  const { query, setQuery } = useQueryState();
  const { range } = useTimeRange();
  const agents = useApi<AgentsResponse>(withQuery('/api/agents', range.params));
  const firing = useApi<{ alerts: Alert[] }>('/api/alerts?state=firing');

  const alertsByAgent = useMemo(() => {
    const m = new Map<string, Alert[]>();
    for (const a of firing.data?.alerts ?? []) {
      const agent = a.labels.agent;
      if (!agent || a.silenced) continue;
      m.set(agent, [...(m.get(agent) ?? []), a]);
    }
    return m;
  }, [firing.data]);

  const sort = (query.sort ?? '-runs') as string;
  const desc = sort.startsWith('-');
  const sortKey = (desc ? sort.slice(1) : sort) as SortKey;
  const rows = useMemo(() => {
    const list = [...(agents.data?.agents ?? [])];
    const val = (a: AgentSummary): number | string =>
      sortKey === 'alerts' ? (alertsByAgent.get(a.agent_name)?.length ?? 0) : sortKey === 'agent_name' ? a.agent_name : (a[sortKey] as number);
    list.sort((a, b) => {
      const x = val(a);
      const y = val(b);
      const c = typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number);
      return desc ? -c : c;
    });
    return list;
  }, [agents.data, sortKey, desc, alertsByAgent]);

  const spark = useSparklines(rows.map((r) => r.agent_name), range);

  const totals = useMemo(() => {
    const list = agents.data?.agents ?? [];
    const runs = list.reduce((s, a) => s + a.runs, 0);
    const ok = list.reduce((s, a) => s + a.success_rate * a.runs, 0);
    return {
      runs,
      success: runs > 0 ? ok / runs : null,
      cost: list.reduce((s, a) => s + (a.cost_usd ?? 0), 0),
      unpriced: list.reduce((s, a) => s + (a.unpriced_runs ?? 0), 0),
      tokens: list.reduce((s, a) => s + (a.total_tokens ?? 0), 0),
      worstP95: list.reduce((m, a) => Math.max(m, a.p95_latency_ms ?? 0), 0),
    };
  }, [agents.data]);
  const firingCount = (firing.data?.alerts ?? []).filter((a) => !a.silenced).length;

  const toggleSort = (key: SortKey) => {
    const next = sortKey === key ? (desc ? key : `-${key}`) : key === 'agent_name' ? key : `-${key}`;
    setQuery({ sort: next === '-runs' ? null : next }, { replace: true });
  };

  return (
    <>
      <div class="page-head">
        <div>
          <h1>Fleet</h1>
          <p class="muted">Every agent that ran in the selected time range.</p>
        </div>
      </div>
      <div class="kpis" data-testid="fleet-kpis">
        <Kpi label="Agents" value={fmtInt(agents.data?.agents.length)} />
        <Kpi label="Runs" value={fmtCompact(totals.runs)} title={fmtInt(totals.runs)} />
        <Kpi label="Success rate" value={fmtPct(totals.success)} tone={totals.success !== null && totals.success < 0.95 ? 'bad' : undefined} />
        <Kpi label="Worst p95 latency" value={fmtMs(totals.worstP95)} />
        <Kpi label="Tokens" value={fmtCompact(totals.tokens)} />
        <Kpi label={totals.unpriced > 0 ? 'Cost (some runs unpriced)' : 'Cost'} value={fmtUsd(totals.cost)} title={totals.unpriced > 0 ? `${totals.unpriced} runs have a model the price table does not know` : undefined} />
        <Kpi label="Firing alerts" value={fmtInt(firingCount)} tone={firingCount > 0 ? 'bad' : undefined} />
      </div>
      <section class="panel" aria-labelledby="agents-title">
        <h2 id="agents-title">Agents</h2>
        <DataTable
          state={agents}
          rows={agents.data ? rows : undefined}
          emptyText="No agent ran in this time range."
          testId="fleet-table"
          head={
            <>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  class={`${c.num ? 'num' : ''} ${c.narrow ? 'hide-narrow' : ''}`}
                  aria-sort={sortKey === c.key ? (desc ? 'descending' : 'ascending') : undefined}
                >
                  <button type="button" class="sort" onClick={() => toggleSort(c.key)}>
                    {c.label} {sortKey === c.key ? (desc ? '▼' : '▲') : ''}
                  </button>
                </th>
              ))}
              <th class="hide-narrow">Runs over time</th>
            </>
          }
          row={(a) => {
            const alerts = alertsByAgent.get(a.agent_name) ?? [];
            return (
              <tr key={a.agent_name} data-agent={a.agent_name}>
                <td class="name-cell">
                  <a href={hrefWithRange(`/agents/${encodeURIComponent(a.agent_name)}`, query)}>{a.agent_name}</a>
                </td>
                <td class="num">{fmtInt(a.runs)}</td>
                <td class="num"><Rate value={a.success_rate} runs={a.runs} /></td>
                <td class="num hide-narrow">{fmtMs(a.p95_latency_ms)}</td>
                <td class="num hide-narrow">{fmtInt(a.avg_tokens)}</td>
                <td class="num hide-narrow">
                  <Cost usd={a.cost_usd} unpricedRuns={a.unpriced_runs} unpricedModels={a.unpriced_models} pricedRuns={a.priced_runs} />
                </td>
                <td>
                  {alerts.length === 0 ? (
                    <span class="muted">none</span>
                  ) : (
                    <a href={hrefWithRange('/alerts', query, { agent: a.agent_name })} class="badge bad" title={alerts.map((x) => x.alertname).join(', ')}>
                      {alerts.length} · {alerts[0]!.alertname}
                      {alerts.length > 1 ? ' …' : ''}
                    </a>
                  )}
                </td>
                <td class="hide-narrow">
                  <Sparkline values={spark.get(a.agent_name) ?? []} label={`Runs over time for ${a.agent_name}`} />
                </td>
              </tr>
            );
          }}
        />
        {rows.length > 0 ? (
          <p class="small muted">
            Average iterations per run across the fleet:{' '}
            {fmtNum(totals.runs > 0 ? rows.reduce((s, a) => s + a.avg_iterations * a.runs, 0) / totals.runs : null)} · tool error rate
            (runs-weighted): {fmtPct(totals.runs > 0 ? rows.reduce((s, a) => s + a.tool_error_rate * a.runs, 0) / totals.runs : null)}
          </p>
        ) : null}
      </section>
    </>
  );
}
