import { ChartSvg, XAxis, YAxis, plotArea, thin, yScale } from './Frame';
import { okabeIto } from './style';
import { logCountScale, roundValueTicks } from './countAxis';
import { formatTick } from './scale';

export interface HistogramBin {
  /** the bin in words, for tooltips and the CSV */
  label: string;
  count: number;
}

export interface HistogramProps {
  label: string;
  bins: readonly HistogramBin[];
  /** labels of the bin edges (bins.length + 1 of them); null for none */
  edges: readonly (string | null)[];
  /** a first bin drawn apart, labelled under its centre (e.g. "0" for never firing) */
  separateFirst?: string;
  xLabel: string;
  yLabel: string;
  color?: string;
  /** a log10 count axis (powers of ten) instead of a linear one */
  logCount?: boolean;
  /** the value range the bins span, [first edge, last edge]: x ticks at round values instead of `edges` */
  valueRange?: readonly [number, number];
}

/** Contiguous bars of equal width (bins equal in the axis' units, e.g. decades on a log axis). */
export function Histogram({ label, bins, edges, separateFirst, xLabel, yLabel, color = okabeIto.orange, logCount = false, valueRange }: HistogramProps) {
  const plot = plotArea();
  const max = Math.max(0, ...bins.map((b) => b.count));
  const { y, ticks } = logCount ? logCountScale(plot.bottom, plot.top, max) : yScale(plot, 0, max === 0 ? 1 : max);
  const gap = separateFirst !== undefined ? 0.4 : 0;
  const unit = (plot.right - plot.left) / Math.max(1, bins.length + gap);
  const left = (i: number) => plot.left + unit * (i + (separateFirst !== undefined && i > 0 ? gap : 0));
  const xTicks: { x: number; label: string }[] = [];
  if (separateFirst !== undefined && bins.length > 0) xTicks.push({ x: left(0) + unit / 2, label: separateFirst });
  const start = separateFirst !== undefined ? 1 : 0;
  if (valueRange && separateFirst === undefined) {
    for (const t of roundValueTicks(valueRange[0], valueRange[1], left(0), left(Math.max(0, bins.length - 1)) + unit)) xTicks.push({ x: t.x, label: formatTick(t.value) });
  } else {
    const edgeIndices = thin(bins.length + 1 - start, 10).map((i) => i + start);
    for (const e of edgeIndices) {
      const text = edges[e];
      if (text) xTicks.push({ x: e < bins.length ? left(e) : left(bins.length - 1) + unit, label: text });
    }
  }
  return (
    <ChartSvg plot={plot} label={label} xLabel={xLabel} yLabel={yLabel}>
      <YAxis plot={plot} y={y} ticks={ticks} />
      <g className="bars">
        {bins.map((b, i) => (
          <rect key={i} x={left(i) + 0.5} y={y(b.count)} width={Math.max(0.5, unit - 1)} height={Math.max(0, plot.bottom - y(b.count))} fill={i === 0 && separateFirst !== undefined ? okabeIto.vermillion : color}>
            <title>{`${b.label}: ${b.count}`}</title>
          </rect>
        ))}
      </g>
      <XAxis plot={plot} ticks={xTicks} />
    </ChartSvg>
  );
}
