// Status badges: colour plus the word, so status never depends on colour alone.
import type { AlertState, CompletionStatus, ToolStatus } from '../api/types';
import { fmtUsd } from './format';

const RUN_TONE: Record<CompletionStatus, string> = {
  success: 'ok',
  error: 'bad',
  timeout: 'bad',
  iteration_limit: 'warn',
  gave_up: 'warn',
  cancelled: 'neutral',
};

export function RunStatus(props: { status: CompletionStatus }) {
  return <span class={`badge ${RUN_TONE[props.status] ?? 'neutral'}`}>{props.status.replace('_', ' ')}</span>;
}

const TOOL_TONE: Record<ToolStatus, string> = { success: 'ok', error: 'bad', timeout: 'warn' };

export function ToolStatusBadge(props: { status: ToolStatus }) {
  return <span class={`badge ${TOOL_TONE[props.status] ?? 'neutral'}`}>{props.status}</span>;
}

const ALERT_TONE: Record<AlertState, string> = { firing: 'bad', pending: 'warn', resolved: 'ok' };

export function AlertStateBadge(props: { state: AlertState; silenced?: boolean }) {
  return (
    <>
      <span class={`badge ${ALERT_TONE[props.state] ?? 'neutral'}`}>{props.state}</span>
      {props.silenced ? <span class="badge neutral">silenced</span> : null}
    </>
  );
}

/** A success rate, coloured when it is low. */
export function Rate(props: { value: number | null | undefined; runs?: number }) {
  const v = props.value;
  if (v === null || v === undefined || !Number.isFinite(v) || props.runs === 0) return <span class="muted">–</span>;
  const cls = v < 0.9 ? 'rate-bad' : v < 0.95 ? 'rate-warn' : '';
  return <span class={cls}>{(v * 100).toFixed(1)}%</span>;
}

/** A cost, saying so when some runs could not be priced (their model is not in the price table). */
export function Cost(props: { usd: number | null | undefined; unpricedRuns?: number; unpricedModels?: string[]; pricedRuns?: number }) {
  const unpriced = props.unpricedRuns ?? 0;
  if (unpriced === 0) return <>{fmtUsd(props.usd)}</>;
  const title = `${unpriced} runs have no cost: ${(props.unpricedModels ?? []).join(', ') || 'their model'} is not in the price table (add it under pricing: in vigil.yaml)`;
  return (
    <span title={title}>
      {props.pricedRuns === 0 ? <span class="muted">unpriced</span> : <>{fmtUsd(props.usd)} <span class="muted small">+ unpriced</span></>}
    </span>
  );
}
