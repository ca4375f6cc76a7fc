import { ChartSvg, Legend, XAxis, YAxis, plotArea, thin, yScale } from './Frame';
import { seriesColors } from './style';

export interface GroupedBarChartProps {
  label: string;
  /** the x categories (e.g. layers) */
  categories: readonly string[];
  /** one series per group member (e.g. per model), one value per category */
  series: readonly { name: string; values: readonly number[] }[];
  xLabel: string;
  yLabel: string;
}

/** Side-by-side bars per category, one colour per series, with a legend. */
export function GroupedBarChart({ label, categories, series, xLabel, yLabel }: GroupedBarChartProps) {
  const plot = plotArea();
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const { y, ticks } = yScale(plot, 0, max === 0 ? 1 : max);
  const band = (plot.right - plot.left) / Math.max(1, categories.length);
  const x = (i: number) => plot.left + band * (i + 0.5);
  const barWidth = Math.max(1, (band * 0.75) / Math.max(1, series.length));
  return (
    <ChartSvg plot={plot} label={label} xLabel={xLabel} yLabel={yLabel}>
      <YAxis plot={plot} y={y} ticks={ticks} />
      {series.map((s, k) => (
        <g key={s.name} className="bars">
          {s.values.map((v, i) => (
            <rect key={i} x={x(i) - (barWidth * series.length) / 2 + k * barWidth} y={y(v)} width={barWidth} height={Math.max(0, plot.bottom - y(v))} fill={seriesColors[k % seriesColors.length]}>
              <title>{`${s.name}, ${categories[i]}: ${v}`}</title>
            </rect>
          ))}
        </g>
      ))}
      <XAxis plot={plot} ticks={thin(categories.length, 16).map((i) => ({ x: x(i), label: categories[i]! }))} />
      <Legend plot={plot} names={series.map((s) => s.name)} />
    </ChartSvg>
  );
}
