// A run drawn on its own time axis: each iteration (model call) and each tool call is a bar placed
// at its start with its duration, in the order they happened, labelled with status, duration and
// tokens. When the client sent no start times, bars are laid end to end in recorded order.
import type { Run, Step, ToolCall } from '../api/types';
import { ToolStatusBadge } from '../ui/badges';
import { fmtInt, fmtMs } from '../ui/format';

export interface TimelineItem {
  kind: 'step' | 'tool';
  /** 1-based: the iteration number, or the tool call's position in the run. */
  index: number;
  label: string;
  startMs: number;
  durationMs: number;
  step?: Step;
  tool?: ToolCall;
}

const TICKS = [0, 0.25, 0.5, 0.75, 1];

/** Places steps and tool calls on the run's axis (ms from the run's start). */
export function layoutTimeline(run: Run): { items: TimelineItem[]; totalMs: number } {
  const t0 = Date.parse(run.timestamp);
  const hasTimes = [...run.steps, ...run.tool_calls].some((x) => x.started_at);
  const items: TimelineItem[] = [];
  if (hasTimes) {
    run.steps.forEach((s, i) => items.push({ kind: 'step', index: i + 1, label: `Iteration ${i + 1}`, startMs: s.started_at ? Date.parse(s.started_at) - t0 : 0, durationMs: s.duration_ms ?? 0, step: s }));
    run.tool_calls.forEach((c, i) => items.push({ kind: 'tool', index: i + 1, label: c.name, startMs: c.started_at ? Date.parse(c.started_at) - t0 : 0, durationMs: c.duration_ms ?? 0, tool: c }));
    items.sort((a, b) => a.startMs - b.startMs || (a.kind === b.kind ? a.index - b.index : a.kind === 'step' ? -1 : 1));
  } else {
    // No start times: iteration i, then the tool calls it asked for, in recorded order.
    let cursor = 0;
    let toolIdx = 0;
    const place = (item: Omit<TimelineItem, 'startMs'>) => {
      items.push({ ...item, startMs: cursor });
      cursor += item.durationMs;
    };
    run.steps.forEach((s, i) => {
      place({ kind: 'step', index: i + 1, label: `Iteration ${i + 1}`, durationMs: s.duration_ms ?? 0, step: s });
      const asked = s.tool_calls_requested?.length ?? (i === run.steps.length - 1 ? run.tool_calls.length - toolIdx : 0);
      for (let k = 0; k < asked && toolIdx < run.tool_calls.length; k++, toolIdx++) {
        const c = run.tool_calls[toolIdx]!;
        place({ kind: 'tool', index: toolIdx + 1, label: c.name, durationMs: c.duration_ms ?? 0, tool: c });
      }
    });
    for (; toolIdx < run.tool_calls.length; toolIdx++) {
      const c = run.tool_calls[toolIdx]!;
      place({ kind: 'tool', index: toolIdx + 1, label: c.name, durationMs: c.duration_ms ?? 0, tool: c });
    }
  }
  const end = items.reduce((m, it) => Math.max(m, it.startMs + it.durationMs), 0);
  return { items, totalMs: Math.max(run.duration_ms, end, 1) };
}

const tokensOf = (s: Step) => s.tokens.input + s.tokens.output;

export function RunTimeline(props: { run: Run }) {
  const { items, totalMs } = layoutTimeline(props.run);
  if (items.length === 0) {
    return <div class="empty">This run recorded no iterations or tool calls{props.run.sampled === false ? ' (its detail was not sampled)' : ''}.</div>;
  }
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (ms / totalMs) * 100))}%`;
  return (
    <div class="timeline" data-testid="timeline">
      <div class="tl-axis" aria-hidden="true">
        {TICKS.map((f) => (
          <span key={f} style={{ left: `${f * 100}%`, transform: f === 0 ? 'none' : f === 1 ? 'translateX(-100%)' : undefined }}>
            {fmtMs(f * totalMs)}
          </span>
        ))}
      </div>
      <ol style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {items.map((it) => {
          const status = it.kind === 'tool' ? it.tool!.status : it.step?.error ? 'error' : 'ok';
          const detail =
            it.kind === 'step'
              ? `${it.label}: ${fmtMs(it.durationMs)}, ${fmtInt(tokensOf(it.step!))} tokens (${fmtInt(it.step!.tokens.input)} in, ${fmtInt(it.step!.tokens.output)} out)${it.step!.finish_reason ? `, finish: ${it.step!.finish_reason}` : ''}`
              : `Tool ${it.label}: ${it.tool!.status}, ${fmtMs(it.durationMs)}${it.tool!.error?.message ? ` — ${it.tool!.error.message}` : ''}`;
          return (
            <li
              key={`${it.kind}-${it.index}`}
              class={`tl-row ${it.kind}`}
              data-testid={it.kind === 'tool' ? 'tl-tool' : 'tl-step'}
              data-name={it.label}
              data-status={status}
            >
              <div class="tl-label">
                {it.kind === 'tool' ? <ToolStatusBadge status={it.tool!.status} /> : <span class="badge info">model</span>}
                <span class="name" title={it.label}>{it.kind === 'tool' ? <code>{it.label}</code> : it.label}</span>
                <span class="muted small nowrap">
                  {fmtMs(it.durationMs)}
                  {it.kind === 'step' ? ` · ${fmtInt(tokensOf(it.step!))} tok` : ''}
                </span>
              </div>
              <div class="tl-track">
                <div
                  class={`tl-bar ${it.kind === 'step' ? 'step' : it.tool!.status}`}
                  style={{ left: pct(it.startMs), width: pct(Math.min(it.durationMs, totalMs - it.startMs)) }}
                  title={detail}
                  role="img"
                  aria-label={detail}
                />
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
