// Time-series charts drawn by uPlot. Colours come from the theme's CSS variables; the chart is
// rebuilt when data or theme change and resized with its container. Labels are set by uPlot as
// text (textContent), never as HTML.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** 1..6: --chart-N. */
  color: number;
  /** A second y axis on the right (e.g. a rate next to counts). */
  right?: boolean;
  fill?: boolean;
  bars?: boolean;
}

export interface TimeChartProps {
  /** Epoch milliseconds, ascending. */
  x: number[];
  series: ChartSeries[];
  format: (v: number) => string;
  formatRight?: (v: number) => string;
  height?: number;
  /** The theme, so the chart redraws when it changes. */
  theme: string;
  ariaLabel: string;
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

export function TimeChart(props: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const fg = cssVar('--muted');
    const grid = cssVar('--grid');
    const hasRight = props.series.some((s) => s.right);
    const axis = (scale: string, fmt: (v: number) => string, side: 1 | 3): uPlot.Axis => ({
      scale,
      side,
      stroke: fg,
      grid: { show: side === 3, stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      values: (_u, ticks) => ticks.map((t) => fmt(t)),
      // Wide enough for the longest label ("$0.0008", "1.50 s"): about 7 px a character at this font size.
      size: (_u, values) => 18 + 7 * Math.max(3, ...(values ?? []).map((v) => String(v).length)),
    });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 220,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] }, r: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [
        { stroke: fg, grid: { show: false }, ticks: { stroke: grid, width: 1 } },
        axis('y', props.format, 3),
        ...(hasRight ? [axis('r', props.formatRight ?? props.format, 1)] : []),
      ],
      series: [
        // Legend values show the hovered point; with no point under the cursor they stay empty.
        { value: (_u, v) => (v === null || v === undefined ? '' : new Date(v * 1000).toLocaleString('en-GB')) },
        ...props.series.map((s): uPlot.Series => {
          const color = cssVar(`--chart-${s.color}`);
          const fmt = s.right ? (props.formatRight ?? props.format) : props.format;
          return {
            label: s.label,
            scale: s.right ? 'r' : 'y',
            stroke: color,
            width: 1.6,
            fill: s.fill || s.bars ? `${color}33` : undefined,
            paths: s.bars ? uPlot.paths.bars!({ size: [0.7, 40] }) : undefined,
            points: { show: false },
            spanGaps: false,
            value: (_u, v) => (v === null || v === undefined ? '' : fmt(v)),
          };
        }),
      ],
    };
    const data: uPlot.AlignedData = [props.x.map((t) => t / 1000), ...props.series.map((s) => s.values)];
    const chart = new uPlot(opts, data, el);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height: props.height ?? 220 }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [props.x, props.series, props.theme, props.height, props.format, props.formatRight]);

  return <div class="chart" ref={host} role="img" aria-label={props.ariaLabel} />;
}
