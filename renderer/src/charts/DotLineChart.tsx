import { ChartSvg, XAxis, YAxis, plotArea, thin, yScale } from './Frame';
import { linear } from './scale';
import { okabeIto } from './style';

export interface DotLineChartProps {
  label: string;
  /** x positions (e.g. layer indices) */
  xs: readonly number[];
  /** one value per x; null leaves a gap */
  ys: readonly (number | null)[];
  xLabel: string;
  yLabel: string;
  color?: string;
  /** include 0 in the y range */
  fromZero?: boolean;
}

/** A value per layer: dots joined by a line, gaps where a value is missing. */
export function DotLineChart({ label, xs, ys, xLabel, yLabel, color = okabeIto.green, fromZero = true }: DotLineChartProps) {
  const plot = plotArea();
  const values = ys.filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = values.length ? Math.min(...values, ...(fromZero ? [0] : [])) : 0;
  const hi = values.length ? Math.max(...values, ...(fromZero ? [0] : [])) : 1;
  const { y, ticks } = yScale(plot, lo, hi);
  const pad = (plot.right - plot.left) / Math.max(2, xs.length) / 2;
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const x = linear(xMin, xMax === xMin ? xMin + 1 : xMax, plot.left + pad, plot.right - pad);
  const segments: string[] = [];
  let current = '';
  xs.forEach((xv, i) => {
    const v = ys[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      if (current) segments.push(current);
      current = '';
      return;
    }
    current += `${current ? 'L' : 'M'}${x(xv).toFixed(2)},${y(v).toFixed(2)}`;
  });
  if (current) segments.push(current);
  return (
    <ChartSvg plot={plot} label={label} xLabel={xLabel} yLabel={yLabel}>
      <YAxis plot={plot} y={y} ticks={ticks} />
      <g className="series">
        {segments.map((d, i) => (
          <path key={i} d={d} fill="none" stroke={color} strokeWidth={1.5} />
        ))}
        {xs.map((xv, i) => {
          const v = ys[i];
          return v === null || v === undefined || !Number.isFinite(v) ? null : (
            <circle key={i} cx={x(xv)} cy={y(v)} r={3} fill={color}>
              <title>{`${xLabel} ${xv}: ${v}`}</title>
            </circle>
          );
        })}
      </g>
      <XAxis plot={plot} ticks={thin(xs.length, 16).map((i) => ({ x: x(xs[i]!), label: String(xs[i]) }))} />
    </ChartSvg>
  );
}
