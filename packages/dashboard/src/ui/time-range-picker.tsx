// The shared time-range picker: presets (1h, 24h, 7d, 30d) and a custom from/to. Its state is the
// URL's (`range`, or `from` and `to`), so every page and every copied link agree.
import { useState } from 'preact/hooks';
import { PRESETS, useTimeRange, type Preset } from '../state/time-range';
import { toLocalInput } from './format';

export function TimeRangePicker() {
  const { range, setPreset, setCustom } = useTimeRange();
  const [editing, setEditing] = useState(false);
  const [from, setFrom] = useState(toLocalInput(range.from));
  const [to, setTo] = useState(toLocalInput(range.to));
  const custom = range.kind === 'custom';

  const openCustom = () => {
    setFrom(toLocalInput(range.from));
    setTo(toLocalInput(range.to));
    setEditing(true);
  };
  const apply = (e: Event) => {
    e.preventDefault();
    const f = new Date(from).getTime();
    const t = new Date(to).getTime();
    if (Number.isFinite(f) && Number.isFinite(t) && f < t) {
      setCustom(f, t);
      setEditing(false);
    }
  };

  return (
    <div class="custom-range">
      <div class="segmented" role="group" aria-label="Time range">
        {(Object.keys(PRESETS) as Preset[]).map((p) => (
          <button type="button" key={p} aria-pressed={range.kind === p} onClick={() => { setEditing(false); setPreset(p); }}>
            {p}
          </button>
        ))}
        <button type="button" aria-pressed={custom || editing} onClick={openCustom} aria-expanded={editing}>
          Custom
        </button>
      </div>
      {editing ? (
        <form class="custom-range" onSubmit={apply}>
          <label class="sr-only" for="range-from">From</label>
          <input id="range-from" type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} required />
          <span class="muted">to</span>
          <label class="sr-only" for="range-to">To</label>
          <input id="range-to" type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} required />
          <button type="submit" class="primary">Apply</button>
        </form>
      ) : null}
    </div>
  );
}
