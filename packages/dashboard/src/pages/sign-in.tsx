// Sign-in: a read or admin API key is exchanged for an HttpOnly session cookie; the key itself is
// not kept by the browser. The start command also prints a one-time link that signs in directly.
import { useState } from 'preact/hooks';
import { api, ApiRequestError } from '../api/client';
import type { Session } from '../api/types';

export function SignInPage(props: { onSignedIn: (s: Session) => void; linkFailed: boolean; next?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(props.linkFailed ? 'That sign-in link was already used or has expired. Sign in with an API key, or restart the server for a new link.' : null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn(await api<Session>('/api/session', { method: 'POST', body: { key } }));
    } catch (err) {
      const status = err instanceof ApiRequestError ? err.status : 0;
      setError(status === 401 ? 'This key is not valid.' : status === 403 ? "This key cannot read: use a key with the 'read' or 'admin' scope." : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <div class="panel">
        <h1>
          <img src="/favicon.svg" alt="" width={22} height={22} /> Vigil
        </h1>
        <p class="muted">Sign in with an API key that has the <code>read</code> or <code>admin</code> scope, or open the link the server printed at start.</p>
        {error ? <div class="notice bad" role="alert">{error}</div> : null}
        <form onSubmit={submit}>
          <label class="field">
            API key
            <input type="password" name="key" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} required autoFocus />
          </label>
          <button type="submit" class="primary" disabled={busy || key.trim() === ''}>Sign in</button>
        </form>
      </div>
    </main>
  );
}
