// The app shell: finds out whether this browser has a session, shows sign-in when it has not, and
// routes the pages. Every page's state is in its URL.
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { api, onSignedOut } from './api/client';
import type { Session } from './api/types';
import { LiveProvider } from './state/live';
import { SessionContext } from './state/session';
import { Layout } from './ui/layout';
import { AgentPage } from './pages/agent';
import { AlertsPage } from './pages/alerts';
import { FleetPage } from './pages/fleet';
import { NotFound } from './pages/not-found';
import { RunPage } from './pages/run';
import { RunsPage } from './pages/runs';
import { SettingsPage } from './pages/settings';
import { SignInPage } from './pages/sign-in';

function Shell() {
  const location = useLocation();
  const [session, setSession] = useState<Session | null | undefined>(undefined);

  useEffect(() => {
    api<Session | { authenticated: false }>('/api/session').then(
      (s) => setSession(s.authenticated ? s : null),
      () => setSession(null),
    );
    return onSignedOut(() => setSession(null));
  }, []);

  const onSignedIn = (s: Session) => {
    setSession(s);
    const next = location.query.next;
    location.route(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
  };

  if (session === undefined) return <div class="empty">Loading…</div>;
  if (session === null) {
    return <SignInPage onSignedIn={onSignedIn} linkFailed={location.query.error === 'link'} next={location.path === '/signin' ? location.query.next : location.url} />;
  }
  if (location.path === '/signin') {
    location.route('/', true);
    return null;
  }
  return (
    <SessionContext.Provider value={session}>
      <LiveProvider>
        <Layout onSignOut={() => setSession(null)}>
          <Router>
            <Route path="/" component={FleetPage} />
            <Route path="/agents/:name" component={AgentPage} />
            <Route path="/runs" component={RunsPage} />
            <Route path="/runs/:id" component={RunPage} />
            <Route path="/alerts" component={AlertsPage} />
            <Route path="/settings" component={SettingsPage} />
            <Route default component={NotFound} />
          </Router>
        </Layout>
      </LiveProvider>
    </SessionContext.Provider>
  );
}

export function App() {
  return (
    <LocationProvider>
      <Shell />
    </LocationProvider>
  );
}
