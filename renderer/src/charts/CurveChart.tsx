import { ChartSvg, YAxis, plotArea, yScale } from './Frame';
import { Legend, LinearXAxis, xScale } from './LinearX';
import { chartSize } from './style';

export interface CurvePoint {
  x: number;
  y: number;
  /** the 95% band at this x; null leaves the band out there */
  low: number | null;
  high: number | null;
}

export interface CurveSeries {
  name: string;
  color: string;
  points: readonly CurvePoint[];
}

export interface CurveChartProps {
  label: string;
  series: readonly CurveSeries[];
  xLabel: string;
  yLabel: string;
  formatX?: (v: number) => string;
}

const path = (pts: readonly { x: number; y: number }[]) => pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(2)},${p.y.toFixed(2)}`).join('');

/** Lines with dots over x, each with a shaded band (its 95% interval), and a legend. */
export function CurveChart({ label, series, xLabel, yLabel, formatX }: CurveChartProps) {
  const plot = plotArea(chartSize.width + 80, chartSize.height + 20);
  plot.top += 18; // room for the legend
  const all = series.flatMap((s) => s.points);
  const ys = all.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y]).filter(Number.isFinite);
  const xs = all.map((p) => p.x);
  const { y, ticks: yTicks } = yScale(plot, ys.length ? Math.min(0, ...ys) : 0, ys.length ? Math.max(...ys) : 1);
  const { x, ticks: xTicks } = xScale(plot, xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1);
  return (
    <ChartSvg plot={plot} label={label} xLabel={xLabel} yLabel={yLabel}>
      <YAxis plot={plot} y={y} ticks={yTicks} />
      <LinearXAxis plot={plot} x={x} ticks={xTicks} format={formatX} />
      {series.map((s) => {
        const sorted = [...s.points].sort((a, b) => a.x - b.x);
        const banded = sorted.filter((p) => p.low !== null && p.high !== null);
        const band = banded.length > 1 ? `${path(banded.map((p) => ({ x: x(p.x), y: y(p.high!) })))}${path([...banded].reverse().map((p) => ({ x: x(p.x), y: y(p.low!) }))).replace(/^M/, 'L')}Z` : null;
        return (
          <g key={s.name} className="curve">
            {band && <path d={band} fill={s.color} fillOpacity={0.18} stroke="none" />}
            <path d={path(sorted.map((p) => ({ x: x(p.x), y: y(p.y) })))} fill="none" stroke={s.color} strokeWidth={1.75} />
            {sorted.map((p, i) => (
              <circle key={i} cx={x(p.x)} cy={y(p.y)} r={3} fill={s.color}>
                <title>{`${s.name} at ${formatX ? formatX(p.x) : p.x}: ${p.y}${p.low !== null && p.high !== null ? ` (95% CI ${p.low} to ${p.high})` : ''}`}</title>
              </circle>
            ))}
          </g>
        );
      })}
      <Legend x={plot.left + 4} y={plot.top - 8} items={series} />
    </ChartSvg>
  );
}
