// The frame around every signed-in page: navigation, the shared time range, live refresh, theme,
// sign-out. The firing-alert count in the navigation refreshes with live mode.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { api } from '../api/client';
import { useApi } from '../api/use-api';
import type { Alert } from '../api/types';
import { useLive } from '../state/live';
import { hrefWithRange } from '../state/query';
import { useTheme, type ThemeChoice } from '../state/theme';
import { TimeRangePicker } from './time-range-picker';

const NAV = [
  { href: '/', label: 'Fleet', match: (p: string) => p === '/' || p.startsWith('/agents/') },
  { href: '/runs', label: 'Runs', match: (p: string) => p.startsWith('/runs') },
  { href: '/alerts', label: 'Alerts', match: (p: string) => p.startsWith('/alerts') },
  { href: '/settings', label: 'Settings', match: (p: string) => p.startsWith('/settings') },
];

export function Layout(props: { children: ComponentChildren; onSignOut: () => void }) {
  const { path, query } = useLocation();
  const { live, setLive } = useLive();
  const { choice, setChoice } = useTheme();
  const firing = useApi<{ alerts: Alert[] }>('/api/alerts?state=firing');
  const firingCount = firing.data?.alerts.filter((a) => !a.silenced).length ?? 0;

  const signOut = async () => {
    await api('/api/session', { method: 'DELETE' }).catch(() => undefined);
    props.onSignOut();
  };

  return (
    <>
      <a class="sr-only" href="#main">Skip to content</a>
      <header class="topbar">
        <a class="brand" href={hrefWithRange('/', query)}>
          <img src="/favicon.svg" alt="" /> Vigil
        </a>
        <nav class="nav" aria-label="Main">
          {NAV.map((n) => (
            <a key={n.href} href={hrefWithRange(n.href, query)} aria-current={n.match(path) ? 'page' : undefined}>
              {n.label}
              {n.href === '/alerts' && firingCount > 0 ? (
                <span class="badge bad count" aria-label={`${firingCount} firing`}>{firingCount}</span>
              ) : null}
            </a>
          ))}
        </nav>
        <div class="tools">
          <TimeRangePicker />
          <button type="button" aria-pressed={live} onClick={() => setLive(!live)} title="Refresh every 10 seconds">
            <span class={`live-dot ${live ? 'on' : ''}`} aria-hidden="true" />
            Live
          </button>
          <label class="sr-only" for="theme">Theme</label>
          <select id="theme" value={choice} onChange={(e) => setChoice(e.currentTarget.value as ThemeChoice)}>
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
          <button type="button" onClick={signOut}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>{props.children}</main>
    </>
  );
}
