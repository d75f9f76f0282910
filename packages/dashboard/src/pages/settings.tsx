// Settings: API keys (create with scopes, revoke; admin only), notification channels with a test
// send, and the alert rules as the server runs them.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { useApi } from '../api/use-api';
import type { ApiKey } from '../api/types';
import { useSession } from '../state/session';
import { useLive } from '../state/live';
import { fmtTime } from '../ui/format';
import { DataTable } from '../ui/data-table';

const SCOPES = ['ingest', 'read', 'admin'] as const;

export function SettingsPage() {
  const session = useSession();
  const admin = session?.scopes.includes('admin') ?? false;
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Settings</h1>
          <p class="muted">
            Signed in with {session?.key_id === 'sign-in-link' ? 'the sign-in link' : <code>{session?.key_id}</code>} · scopes {session?.scopes.join(', ')}
          </p>
        </div>
      </div>
      {admin ? (
        <>
          <ApiKeys />
          <Channels />
          <Rules />
        </>
      ) : (
        <div class="notice">Settings (API keys, notification channels, alert rules) need a key with the admin scope.</div>
      )}
    </>
  );
}

function ApiKeys() {
  const keys = useApi<{ keys: ApiKey[] }>('/api/keys');
  const { refresh } = useLive();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['ingest']);
  const [created, setCreated] = useState<{ key: ApiKey; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);

  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setCreated(await api<{ key: ApiKey; secret: string }>('/api/keys', { method: 'POST', body: { name, scopes } }));
      setName('');
      refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  // Revoking asks once more, inline: clients using the key stop working.
  const [confirming, setConfirming] = useState<string | null>(null);
  const revoke = async (k: ApiKey) => {
    setConfirming(null);
    setError(null);
    try {
      await api(`/api/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
      refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const list = (keys.data?.keys ?? []).filter((k) => showRevoked || !k.revoked_at);

  return (
    <section class="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {error ? <div class="notice bad" role="alert">{error}</div> : null}
      {created ? (
        <div class="notice" role="status">
          <p style={{ marginTop: 0 }}>
            Key <strong>{created.key.name}</strong> created. Copy its secret now: it is not shown again.
          </p>
          <div class="secret">
            <code data-testid="new-secret">{created.secret}</code>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.secret)}>Copy</button>
            <button type="button" onClick={() => setCreated(null)}>Done</button>
          </div>
        </div>
      ) : null}
      <form class="filters" onSubmit={create} aria-label="Create an API key">
        <label class="field">
          Name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. production agents" required maxLength={200} />
        </label>
        <fieldset class="filters" style={{ border: 'none', margin: 0, padding: 0 }}>
          <legend class="small muted">Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} class="nowrap">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
              />{' '}
              {s}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary" disabled={!name.trim() || scopes.length === 0}>Create key</button>
      </form>
      <DataTable
        state={keys}
        rows={list}
        emptyText="No keys."
        testId="keys-table"
        head={
          <>
            <th>Name</th>
            <th>Id</th>
            <th>Scopes</th>
            <th>Created</th>
            <th>State</th>
            <th />
          </>
        }
        row={(k) => (
          <tr key={k.id} data-key-id={k.id}>
            <td>{k.name}</td>
            <td class="mono small">{k.id}</td>
            <td>{k.scopes.join(', ')}</td>
            <td class="nowrap">{fmtTime(k.created_at)}</td>
            <td>{k.revoked_at ? <span class="badge neutral">revoked {fmtTime(k.revoked_at)}</span> : <span class="badge ok">active</span>}</td>
            <td class="nowrap">
              {k.revoked_at ? null : confirming === k.id ? (
                <>
                  <button type="button" class="danger" onClick={() => revoke(k)}>Revoke now</button>{' '}
                  <button type="button" onClick={() => setConfirming(null)}>Keep</button>
                </>
              ) : (
                <button type="button" class="danger" onClick={() => setConfirming(k.id)} aria-label={`Revoke ${k.name}`}>Revoke</button>
              )}
            </td>
          </tr>
        )}
      />
      <label class="small">
        <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.currentTarget.checked)} /> Show revoked keys
      </label>
    </section>
  );
}

interface Channel {
  name: string;
  type: string;
  /** The project whose alerts it carries; '*' for every project. */
  project: string;
  /** Masked by the server: Slack and webhook URLs carry secrets. */
  url: string;
  /** Every receiver (an Alertmanager HA set has several), masked. */
  urls: string[];
  /** null for Alertmanager channels: Alertmanager's receivers decide. */
  send_resolved: boolean | null;
  timeout: string;
  counters: { sent: number; failed: number; dropped: number };
}

function Channels() {
  const channels = useApi<{ channels: Channel[] }>('/api/settings/channels');
  const [result, setResult] = useState<Record<string, string>>({});
  const test = async (c: Channel) => {
    setResult((r) => ({ ...r, [c.name]: 'sending…' }));
    try {
      const res = await api<{ ok: boolean; status?: number | null; error?: string }>(`/api/settings/channels/${encodeURIComponent(c.name)}/test`, { method: 'POST', body: {} });
      setResult((r) => ({ ...r, [c.name]: res.ok ? `delivered (HTTP ${res.status ?? ''})` : `failed: ${res.error ?? res.status ?? ''}` }));
    } catch (err) {
      setResult((r) => ({ ...r, [c.name]: `failed: ${(err as Error).message}` }));
    }
  };
  return (
    <section class="panel" aria-labelledby="channels-title">
      <h2 id="channels-title">Notification channels</h2>
      <DataTable
        testId="channels-table"
        state={channels}
        rows={channels.data?.channels}
        emptyText="No channels for this project. Add them under notifications: in vigil.yaml (with project: set to this project)."
        head={
          <>
            <th>Name</th>
            <th>Type</th>
            <th>Project</th>
            <th>URL</th>
            <th>Resolved</th>
            <th class="num">Sent / failed / dropped</th>
            <th />
          </>
        }
        row={(c) => (
          <tr key={c.name} data-channel={c.name}>
            <td>{c.name}</td>
            <td>{c.type}</td>
            <td>{c.project === '*' ? 'all projects' : c.project}</td>
            <td class="mono small break">{c.urls.join(' ')}</td>
            <td>{c.send_resolved === null ? '—' : c.send_resolved ? 'yes' : 'no'}</td>
            <td class="num">{c.counters.sent} / {c.counters.failed} / {c.counters.dropped}</td>
            <td class="nowrap">
              <button type="button" onClick={() => test(c)}>Send test</button> <span class="small" role="status">{result[c.name] ?? ''}</span>
            </td>
          </tr>
        )}
      />
    </section>
  );
}

interface RuleView {
  name: string;
  kind: string;
  enabled: boolean;
  [field: string]: unknown;
}

function Rules() {
  const rules = useApi<{ rules: RuleView[]; evaluation_interval: string; group_wait: string; group_interval: string; repeat_interval: string }>('/api/settings/rules');
  return (
    <section class="panel" aria-labelledby="rules-title">
      <h2 id="rules-title">Alert rules</h2>
      <p class="small muted">As configured in vigil.yaml (defaults where it says nothing). Edit the file and restart to change them.</p>
      {rules.data ? (
        <p class="small">
          Evaluated every {rules.data.evaluation_interval}; notifications wait {rules.data.group_wait}, then at most every {rules.data.group_interval} per group, repeated after {rules.data.repeat_interval}.
        </p>
      ) : null}
      <DataTable
        state={rules}
        rows={rules.data?.rules}
        emptyText="No rules."
        testId="rules-table"
        head={
          <>
            <th>Rule</th>
            <th>Kind</th>
            <th>State</th>
            <th>Settings</th>
          </>
        }
        row={(r) => (
          <tr key={r.name}>
            <td><code>{r.name}</code></td>
            <td class="small">{r.kind}</td>
            <td>{r.enabled ? <span class="badge ok">on</span> : <span class="badge neutral">off</span>}</td>
            <td class="small">
              {Object.entries(r)
                .filter(([k]) => k !== 'name' && k !== 'enabled' && k !== 'kind')
                .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
                .join(' · ')}
            </td>
          </tr>
        )}
      />
    </section>
  );
}
