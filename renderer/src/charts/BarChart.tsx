import { ChartSvg, XAxis, YAxis, plotArea, thin, yScale } from './Frame';
import { okabeIto } from './style';

export interface BarChartProps {
  label: string;
  categories: readonly string[];
  values: readonly number[];
  xLabel: string;
  yLabel: string;
  color?: string;
}

/** One bar per category (e.g. dead neurons per layer), from zero. */
export function BarChart({ label, categories, values, xLabel, yLabel, color = okabeIto.blue }: BarChartProps) {
  const plot = plotArea();
  const max = Math.max(0, ...values);
  const { y, ticks } = yScale(plot, 0, max === 0 ? 1 : max);
  const band = (plot.right - plot.left) / Math.max(1, categories.length);
  const x = (i: number) => plot.left + band * (i + 0.5);
  const barWidth = Math.max(1, band * 0.7);
  return (
    <ChartSvg plot={plot} label={label} xLabel={xLabel} yLabel={yLabel}>
      <YAxis plot={plot} y={y} ticks={ticks} />
      <g className="bars">
        {values.map((v, i) => (
          <rect key={i} x={x(i) - barWidth / 2} y={y(v)} width={barWidth} height={Math.max(0, plot.bottom - y(v))} fill={color}>
            <title>{`${categories[i]}: ${v}`}</title>
          </rect>
        ))}
      </g>
      <XAxis plot={plot} ticks={thin(categories.length, 16).map((i) => ({ x: x(i), label: categories[i]! }))} />
    </ChartSvg>
  );
}
