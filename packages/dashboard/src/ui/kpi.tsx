// A headline number with its label.
export function Kpi(props: { label: string; value: string; tone?: 'bad' | 'warn'; title?: string }) {
  return (
    <div class={`kpi ${props.tone ?? ''}`} title={props.title}>
      <div class="label">{props.label}</div>
      <div class="value">{props.value}</div>
    </div>
  );
}

/** Loading, error and empty states, said in words. */
export function LoadState(props: { loading: boolean; error: Error | undefined; empty?: boolean; emptyText?: string }) {
  if (props.error) return <div class="notice bad" role="alert">Could not load: {props.error.message}</div>;
  if (props.loading) return <div class="empty" aria-live="polite">Loading…</div>;
  if (props.empty) return <div class="empty">{props.emptyText ?? 'Nothing in this time range.'}</div>;
  return null;
}
