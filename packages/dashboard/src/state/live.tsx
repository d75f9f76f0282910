// Live refresh: a shared clock that ticks every REFRESH_INTERVAL_MS while live mode is on and the
// tab is visible. Pages derive their time range from `now` and refetch on each tick, so data
// updates without a reload and relative ranges ("last 1h") slide forward.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';

export const REFRESH_INTERVAL_MS = 10_000;
const STORAGE_KEY = 'vigil.live';

interface LiveState {
  live: boolean;
  setLive(on: boolean): void;
  /** Epoch ms of the last tick (whole seconds, so equal ticks build equal URLs). */
  now: number;
  /** Ticks now: after an action that changed data (a silence, a revoked key). */
  refresh(): void;
}

const LiveContext = createContext<LiveState>({ live: false, setLive: () => {}, now: Date.now(), refresh: () => {} });

const second = () => Math.floor(Date.now() / 1000) * 1000;

export function LiveProvider(props: { children: ComponentChildren }) {
  const [live, setLiveState] = useState(() => localStorage.getItem(STORAGE_KEY) !== 'off');
  const [now, setNow] = useState(second);

  useEffect(() => {
    if (!live) return;
    const tick = () => {
      if (document.visibilityState === 'visible') setNow(second());
    };
    const timer = setInterval(tick, REFRESH_INTERVAL_MS);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [live]);

  const value = useMemo<LiveState>(
    () => ({
      live,
      now,
      setLive(on) {
        localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
        setLiveState(on);
        if (on) setNow(second());
      },
      refresh: () => setNow(Math.max(second(), now + 1)),
    }),
    [live, now],
  );
  return <LiveContext.Provider value={value}>{props.children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);
