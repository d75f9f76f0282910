// A tiny trend line for tables: an SVG path, no axes. Missing points break the line.
export function Sparkline(props: { values: (number | null)[]; width?: number; height?: number; label: string }) {
  const w = props.width ?? 110;
  const h = props.height ?? 26;
  const vals = props.values;
  const nums = vals.filter((v): v is number => v !== null && Number.isFinite(v));
  if (vals.length < 2 || nums.length === 0) return <span class="muted small">–</span>;
  const max = Math.max(...nums);
  const min = Math.min(0, ...nums);
  const span = max - min || 1;
  const x = (i: number) => (i / (vals.length - 1)) * (w - 2) + 1;
  const y = (v: number) => h - 1 - ((v - min) / span) * (h - 2);
  let line = '';
  let pen = false;
  vals.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    line += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={props.label}>
      <path class="line" d={line} />
    </svg>
  );
}
