import { ChartSvg, XAxis, YAxis, plotArea, yScale } from './Frame';
import { Legend } from './LinearX';
import { ink, seriesColors } from './style';

export interface IntervalPoint {
  value: number;
  low: number | null;
  high: number | null;
}

export interface GroupedIntervalChartProps {
  label: string;
  /** groups along x (e.g. models) */
  groups: readonly string[];
  /** one series per condition (e.g. the dead set, its random control), one point per group */
  series: readonly { name: string; points: readonly (IntervalPoint | null)[] }[];
  xLabel: string;
  yLabel: string;
}

/** A dot with its 95% interval per group and series, and a zero line: effects beside their controls. */
export function GroupedIntervalChart({ label, groups, series, xLabel, yLabel }: GroupedIntervalChartProps) {
  const plot = plotArea();
  plot.top += 18; // room for the legend
  const all = series.flatMap((s) => s.points.flatMap((p) => (p ? [p.value, p.low ?? p.value, p.high ?? p.value] : [])));
  const { y, ticks } = yScale(plot, Math.min(0, ...all), Math.max(0, ...all, 1e-9));
  const band = (plot.right - plot.left) / Math.max(1, groups.length);
  const step = (band * 0.6) / Math.max(1, series.length);
  const x = (g: number, k: number) => plot.left + band * (g + 0.5) + (k - (series.length - 1) / 2) * step;
  return (
    <ChartSvg plot={plot} label={label} xLabel={xLabel} yLabel={yLabel}>
      <YAxis plot={plot} y={y} ticks={ticks} />
      <line x1={plot.left} x2={plot.right} y1={y(0)} y2={y(0)} stroke={ink.axis} strokeWidth={1} strokeDasharray="4 3" />
      {series.map((s, k) => (
        <g key={s.name} className="series">
          {s.points.map((p, g) =>
            p === null ? null : (
              <g key={g}>
                {p.low !== null && p.high !== null && (
                  <>
                    <line x1={x(g, k)} x2={x(g, k)} y1={y(p.low)} y2={y(p.high)} stroke={seriesColors[k % seriesColors.length]} strokeWidth={1.5} />
                    <line x1={x(g, k) - 4} x2={x(g, k) + 4} y1={y(p.low)} y2={y(p.low)} stroke={seriesColors[k % seriesColors.length]} strokeWidth={1.5} />
                    <line x1={x(g, k) - 4} x2={x(g, k) + 4} y1={y(p.high)} y2={y(p.high)} stroke={seriesColors[k % seriesColors.length]} strokeWidth={1.5} />
                  </>
                )}
                <circle cx={x(g, k)} cy={y(p.value)} r={3.5} fill={seriesColors[k % seriesColors.length]}>
                  <title>{`${groups[g]}, ${s.name}: ${p.value} [${p.low}, ${p.high}]`}</title>
                </circle>
              </g>
            ),
          )}
        </g>
      ))}
      <XAxis plot={plot} ticks={groups.map((label, g) => ({ x: plot.left + band * (g + 0.5), label }))} />
      <Legend x={plot.left + 4} y={plot.top - 8} items={series.map((s, k) => ({ name: s.name, color: seriesColors[k % seriesColors.length] as string }))} />
    </ChartSvg>
  );
}
