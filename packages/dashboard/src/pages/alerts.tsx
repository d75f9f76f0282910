// Alerts: firing, pending and resolved instances with their evidence (values, baseline, the why,
// the runs behind them), a silence made from an alert's labels, and the active silences.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api/client';
import { useApi } from '../api/use-api';
import type { Alert, AlertHistoryEntry, AlertState, Silence } from '../api/types';
import { useSession } from '../state/session';
import { useLive } from '../state/live';
import { hrefWithRange, useQueryState } from '../state/query';
import { useTimeRange } from '../state/time-range';
import { AlertStateBadge } from '../ui/badges';
import { fmtAgo, fmtTime } from '../ui/format';
import { LoadState } from '../ui/kpi';
import { DataTable } from '../ui/data-table';

type Tab = AlertState | 'history' | 'silences';
const TABS: { state: Tab; label: string }[] = [
  { state: 'firing', label: 'Firing' },
  { state: 'pending', label: 'Pending' },
  { state: 'resolved', label: 'Resolved' },
  { state: 'history', label: 'History' },
  { state: 'silences', label: 'Silences' },
];
/** Annotations shown in their own places rather than in the evidence list. */
const SHOWN_APART = new Set(['summary', 'description', 'run_ids', 'runs_url']);
const SILENCE_DURATIONS: [string, number][] = [['1 hour', 3600_000], ['4 hours', 4 * 3600_000], ['24 hours', 24 * 3600_000], ['7 days', 7 * 24 * 3600_000]];
/** Runs shown for an alert start this long before it did (the rules' default window). */
const EVIDENCE_LOOKBACK_MS = 15 * 60_000;

/** "r1, r2 … and 5 more" → ["r1", "r2"]. */
export function parseRunIds(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(/…|\.\.\./)[0]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function AlertsPage() {
  const { query, setQuery } = useQueryState();
  const tab = (TABS.some((t) => t.state === query.state) ? query.state : 'firing') as Tab;
  const alerts = useApi<{ alerts: Alert[] }>(tab === 'silences' || tab === 'history' ? null : withQuery('/api/alerts', { state: tab }));
  const agentFilter = query.agent;
  const list = (alerts.data?.alerts ?? [])
    .filter((a) => !agentFilter || a.labels.agent === agentFilter)
    .sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt));

  return (
    <>
      <div class="page-head">
        <div>
          <h1>Alerts</h1>
          <p class="muted">Built-in patterns and anomalies, with the evidence behind each.</p>
        </div>
      </div>
      <nav class="tabs" aria-label="Alert states">
        {TABS.map((t) => (
          <a key={t.state} href={hrefWithRange('/alerts', query, { state: t.state === 'firing' ? null : t.state, agent: agentFilter })} aria-current={tab === t.state ? 'page' : undefined}>
            {t.label}
          </a>
        ))}
      </nav>
      {agentFilter ? (
        <div class="notice">
          Alerts of <strong>{agentFilter}</strong>{' '}
          <button type="button" class="link" onClick={() => setQuery({ agent: null })}>show all agents</button>
        </div>
      ) : null}
      {tab === 'silences' ? (
        <Silences />
      ) : tab === 'history' ? (
        <History agent={agentFilter} />
      ) : (
        <>
          <LoadState loading={alerts.loading && !alerts.data} error={alerts.error} empty={list.length === 0} emptyText={`No ${tab} alerts.`} />
          <div data-testid="alert-list">
            {list.map((a) => (
              <AlertCard key={`${a.alertname}|${JSON.stringify(a.labels)}|${a.startsAt}`} alert={a} query={query} />
            ))}
          </div>
        </>
      )}
    </>
  );
}

function AlertCard(props: { alert: Alert; query: Record<string, string> }) {
  const a = props.alert;
  const { now, refresh } = useLive();
  const [silencing, setSilencing] = useState(false);
  const admin = useSession()?.scopes.includes('admin') ?? false;
  const runIds = parseRunIds(a.annotations.run_ids);
  // The `value` annotation repeats the alert's value, shown above.
  const evidence = Object.entries(a.annotations).filter(([k]) => !SHOWN_APART.has(k) && !(k === 'value' && a.value !== null));
  const start = Date.parse(a.startsAt);
  const end = a.endsAt && a.state === 'resolved' ? Date.parse(a.endsAt) : now;
  const runsHref = a.annotations.runs_url
    ? sameOriginPath(a.annotations.runs_url)
    : a.labels.agent
    ? withQuery('/runs', {
        agent_name: a.labels.agent,
        tool: a.labels.tool,
        from: new Date(start - EVIDENCE_LOOKBACK_MS).toISOString(),
        to: new Date(Math.max(end, start + 60_000)).toISOString(),
      })
    : null;
  const labels = Object.entries(a.labels).filter(([k]) => k !== 'alertname');

  return (
    <article id={a.fingerprint ? `alert-${encodeURIComponent(a.fingerprint)}` : undefined} class={`panel alert-card ${a.state}`} data-testid="alert" data-alertname={a.alertname} data-state={a.state}>
      <header>
        <AlertStateBadge state={a.state} silenced={a.silenced} />
        <h2 style={{ margin: 0 }}>{a.alertname}</h2>
        <span class="labels">
          {labels.map(([k, v]) => (
            <code key={k}>
              {k}={v}
            </code>
          ))}
        </span>
      </header>
      {a.annotations.summary ? <p class="summary">{a.annotations.summary}</p> : null}
      {a.annotations.description ? <p>{a.annotations.description}</p> : null}
      <dl class="props">
        <dt>Since</dt>
        <dd>
          {fmtTime(a.startsAt)} <span class="muted small">({fmtAgo(a.startsAt, now)})</span>
        </dd>
        {a.state === 'resolved' && a.endsAt ? (
          <>
            <dt>Resolved</dt>
            <dd>{fmtTime(a.endsAt)}</dd>
          </>
        ) : null}
        {a.value !== null && a.value !== undefined ? (
          <>
            <dt>Value</dt>
            <dd class="mono">{String(a.value)}</dd>
          </>
        ) : null}
        {evidence.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k.replace(/_/g, ' ')}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
        {runIds.length > 0 ? (
          <>
            <dt>Runs</dt>
            <dd class="labels" data-testid="alert-runs">
              {runIds.map((id) => (
                <a key={id} class="mono" href={hrefWithRange(`/runs/${encodeURIComponent(id)}`, props.query)}>{id}</a>
              ))}
            </dd>
          </>
        ) : null}
      </dl>
      <div class="actions">
        {runsHref ? <a href={runsHref} data-testid="alert-runs-link">All runs of {a.labels.agent}{a.labels.tool ? ` calling ${a.labels.tool}` : ''} around this alert →</a> : null}
        {a.labels.agent ? <a href={hrefWithRange(`/agents/${encodeURIComponent(a.labels.agent)}`, props.query)}>Agent page →</a> : null}
        {a.state !== 'resolved' && !a.silenced && !silencing && admin ? (
          <button type="button" onClick={() => setSilencing(true)}>Silence…</button>
        ) : null}
      </div>
      {silencing ? <SilenceForm alert={a} onDone={() => { setSilencing(false); refresh(); }} /> : null}
    </article>
  );
}

function SilenceForm(props: { alert: Alert; onDone: () => void }) {
  const a = props.alert;
  const [duration, setDuration] = useState(SILENCE_DURATIONS[0]![1]);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  // The alert's identity: its name and the labels that pick it out (agent, tool), never severity.
  const matchers = Object.entries(a.labels)
    .filter(([k]) => k === 'alertname' || k === 'agent' || k === 'tool' || k === 'metric')
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const now = Date.now();
      await api('/api/silences', {
        method: 'POST',
        body: { matchers, startsAt: new Date(now).toISOString(), endsAt: new Date(now + duration).toISOString(), comment: comment.trim() || `silenced from the dashboard`, createdBy: 'dashboard' },
      });
      props.onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <form class="filters" onSubmit={submit} aria-label={`Silence ${a.alertname}`} style={{ marginTop: '0.6rem' }}>
      <span class="small muted">
        Matches {matchers.map((m) => `${m.name}=${m.value}`).join(', ')}
      </span>
      <label class="field">
        For
        <select value={String(duration)} onChange={(e) => setDuration(Number(e.currentTarget.value))}>
          {SILENCE_DURATIONS.map(([label, ms]) => (
            <option key={ms} value={String(ms)}>{label}</option>
          ))}
        </select>
      </label>
      <label class="field">
        Comment
        <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} placeholder="why (optional)" />
      </label>
      <button type="submit" class="primary">Silence</button>
      <button type="button" onClick={props.onDone}>Cancel</button>
      {error ? <div class="notice bad" role="alert">{error}</div> : null}
    </form>
  );
}

function Silences() {
  const silences = useApi<{ silences: Silence[] }>('/api/silences');
  const { now, refresh } = useLive();
  const admin = useSession()?.scopes.includes('admin') ?? false;
  const [error, setError] = useState<string | null>(null);
  const active = (silences.data?.silences ?? []).filter((s) => Date.parse(s.endsAt) > now);
  const expire = async (id: string) => {
    setError(null);
    try {
      await api(`/api/silences/${encodeURIComponent(id)}`, { method: 'DELETE' });
      refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="panel">
      <h2>Active silences</h2>
      {error ? <div class="notice bad" role="alert">{error}</div> : null}
      <DataTable
        state={silences}
        rows={active}
        emptyText="No active silences. Silence an alert from its card."
        head={
          <>
            <th>Matchers</th>
            <th>Until</th>
            <th>Comment</th>
            <th>By</th>
            <th />
          </>
        }
        row={(s) => (
          <tr key={s.id}>
            <td class="labels">
              {s.matchers.map((m, i) => (
                <code key={i}>
                  {m.name}
                  {m.isEqual === false ? '!' : ''}
                  {m.isRegex ? '=~' : '='}
                  {m.value}
                </code>
              ))}
            </td>
            <td class="nowrap">{fmtTime(s.endsAt)}</td>
            <td>{s.comment ?? ''}</td>
            <td>{s.createdBy ?? ''}</td>
            <td>{admin ? <button type="button" class="danger" onClick={() => expire(s.id)}>Expire</button> : null}</td>
          </tr>
        )}
      />
    </section>
  );
}

/** A link from an annotation (built with the server's external_url) as a path on this origin. */
export function sameOriginPath(url: string): string {
  try {
    const u = new URL(url, window.location.origin);
    return `${u.pathname}${u.search}`;
  } catch {
    return '/runs';
  }
}

const HISTORY_TONE: Record<string, string> = { firing: 'bad', pending: 'warn', resolved: 'ok', inactive: 'neutral' };

/** Every state change in the time range: when each alert went pending, fired and resolved. */
function History(props: { agent?: string }) {
  const { range } = useTimeRange();
  const { query } = useQueryState();
  const history = useApi<{ history: AlertHistoryEntry[] }>(withQuery('/api/alerts/history', { ...range.params, limit: 500 }));
  const list = (history.data?.history ?? []).filter((h) => !props.agent || h.labels.agent === props.agent);
  return (
    <section class="panel">
      <h2>State changes in this time range</h2>
      <DataTable
        state={history}
        rows={list}
        emptyText="No alert changed state in this time range."
        testId="alert-history"
        head={
          <>
            <th>When</th>
            <th>Alert</th>
            <th>Became</th>
            <th>Labels</th>
            <th>Summary</th>
          </>
        }
        row={(h, i) => (
          <tr key={`${h.fingerprint}-${h.at}-${i}`}>
            <td class="nowrap">{fmtTime(h.at)}</td>
            <td>{h.alertname}</td>
            <td><span class={`badge ${HISTORY_TONE[h.state] ?? 'neutral'}`}>{h.state}</span></td>
            <td class="labels">
              {Object.entries(h.labels)
                .filter(([k]) => k !== 'alertname')
                .map(([k, v]) => (
                  <code key={k}>
                    {k}={v}
                  </code>
                ))}
            </td>
            <td class="small">
              {h.annotations.summary ?? ''}{' '}
              {h.labels.agent ? <a href={hrefWithRange(`/agents/${encodeURIComponent(h.labels.agent)}`, query)}>agent →</a> : null}
            </td>
          </tr>
        )}
      />
    </section>
  );
}
