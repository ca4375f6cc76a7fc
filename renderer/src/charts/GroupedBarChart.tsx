import { ChartSvg, XAxis, YAxis, plotArea, thin, yScale } from './Frame';
import { Legend } from './LinearX';
import { chartSize } from './style';

export interface GroupedBarChartProps {
  label: string;
  categories: readonly string[];
  /** one value per category in each series */
  series: readonly { name: string; color: string; values: readonly number[] }[];
  xLabel: string;
  yLabel: string;
}

/** Side-by-side bars per category (e.g. a token's probability intact and ablated), from zero. */
export function GroupedBarChart({ label, categories, series, xLabel, yLabel }: GroupedBarChartProps) {
  const plot = plotArea(chartSize.width + 80, chartSize.height);
  plot.top += 18; // room for the legend
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const { y, ticks } = yScale(plot, 0, max === 0 ? 1 : max);
  const band = (plot.right - plot.left) / Math.max(1, categories.length);
  const barWidth = Math.max(1, (band * 0.8) / Math.max(1, series.length));
  const left = (i: number, k: number) => plot.left + band * i + band * 0.1 + barWidth * k;
  return (
    <ChartSvg plot={plot} label={label} xLabel={xLabel} yLabel={yLabel}>
      <YAxis plot={plot} y={y} ticks={ticks} />
      {series.map((s, k) => (
        <g key={s.name} className="bars">
          {s.values.map((v, i) => (
            <rect key={i} x={left(i, k)} y={y(v)} width={barWidth} height={Math.max(0, plot.bottom - y(v))} fill={s.color}>
              <title>{`${categories[i]} (${s.name}): ${v}`}</title>
            </rect>
          ))}
        </g>
      ))}
      <XAxis plot={plot} ticks={thin(categories.length, 12).map((i) => ({ x: plot.left + band * (i + 0.5), label: categories[i]! }))} />
      <Legend x={plot.left + 4} y={plot.top - 8} items={series} />
    </ChartSvg>
  );
}
