import { ChartSvg, plotArea } from './Frame';
import { LinearXAxis, xScale } from './LinearX';
import { chartSize, ink, margin, palette } from './style';

export interface IntervalItem {
  label: string;
  value: number;
  /** the interval's ends; null draws the dot alone */
  low: number | null;
  high: number | null;
}

export interface IntervalChartProps {
  label: string;
  items: readonly IntervalItem[];
  xLabel: string;
  /** a dashed line at the value of "no change" (0 for a difference, 1 for an agreement) */
  reference?: number;
}

const ROW = 30;
const LABEL_WIDTH = 190;

/** One row per condition: a dot at the estimate and a whisker over its interval, on a shared x axis. */
export function IntervalChart({ label, items, xLabel, reference: given }: IntervalChartProps) {
  const reference = given !== undefined && Number.isFinite(given) ? given : undefined;
  const height = margin.top + 10 + ROW * Math.max(1, items.length) + margin.bottom;
  const plot = { ...plotArea(chartSize.width + 80, height), left: LABEL_WIDTH };
  const values = items.flatMap((i) => [i.value, i.low ?? i.value, i.high ?? i.value]).filter(Number.isFinite);
  if (reference !== undefined) values.push(reference);
  const { x, ticks } = xScale(plot, values.length ? Math.min(...values) : 0, values.length ? Math.max(...values) : 1);
  const y = (i: number) => plot.top + 5 + ROW * (i + 0.5);
  const cut = (s: string) => (s.length > 30 ? `${s.slice(0, 29)}…` : s);
  return (
    <ChartSvg plot={plot} label={label} xLabel={xLabel} yLabel="">
      <LinearXAxis plot={plot} x={x} ticks={ticks} />
      {reference !== undefined && <line x1={x(reference)} x2={x(reference)} y1={plot.top} y2={plot.bottom} stroke={ink.axis} strokeDasharray="4 3" strokeWidth={1} />}
      <g className="intervals">
        {items.map((item, i) => {
          const color = palette[i % palette.length]!;
          const interval = item.low !== null && item.high !== null ? `, 95% CI ${item.low} to ${item.high}` : '';
          return (
            <g key={i}>
              <text x={plot.left - 8} y={y(i)} dy="0.32em" textAnchor="end">
                {cut(item.label)}
              </text>
              {item.low !== null && item.high !== null && (
                <g stroke={color} strokeWidth={1.5}>
                  <line x1={x(item.low)} x2={x(item.high)} y1={y(i)} y2={y(i)} />
                  <line x1={x(item.low)} x2={x(item.low)} y1={y(i) - 5} y2={y(i) + 5} />
                  <line x1={x(item.high)} x2={x(item.high)} y1={y(i) - 5} y2={y(i) + 5} />
                </g>
              )}
              <circle cx={x(item.value)} cy={y(i)} r={4} fill={color}>
                <title>{`${item.label}: ${item.value}${interval}`}</title>
              </circle>
            </g>
          );
        })}
      </g>
    </ChartSvg>
  );
}
