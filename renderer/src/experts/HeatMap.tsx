import { ChartSvg, XAxis, plotArea, thin } from '../charts/Frame';
import { formatTick, niceTicks } from '../charts/scale';
import { ink } from '../charts/style';

/** Viridis (perceptually uniform, colour-blind safe, readable in greyscale) at 9 stops. */
const viridis = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'] as const;

function hex(c: string): [number, number, number] {
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
}

/** The colour of t in [0, 1] (clamped) on the viridis scale, as #rrggbb. */
export function heatColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (viridis.length - 1);
  const i = Math.min(viridis.length - 2, Math.floor(x));
  const f = x - i;
  const a = hex(viridis[i]!);
  const b = hex(viridis[i + 1]!);
  return `#${a.map((v, k) => Math.round(v + (b[k]! - v) * f).toString(16).padStart(2, '0')).join('')}`;
}

export interface HeatMapProps {
  label: string;
  /** row names (top to bottom) and column names (left to right) */
  rows: readonly string[];
  columns: readonly string[];
  /** values[row][column]; null: no value (drawn hatched grey) */
  values: readonly (readonly (number | null)[])[];
  xLabel: string;
  yLabel: string;
  /** the colour scale's title (its unit) */
  legendLabel: string;
  /** the data attributes of each cell, e.g. { row: 'data-layer', column: 'data-expert' } */
  cellAttributes?: { row: `data-${string}`; column: `data-${string}` };
  /** the tooltip of a cell */
  cellTitle?: (row: number, column: number, value: number | null) => string;
}

/** A grid of coloured cells (e.g. layer × expert), from zero to the largest value, with its colour scale beside it. */
export function HeatMap({ label, rows, columns, values, xLabel, yLabel, legendLabel, cellAttributes, cellTitle }: HeatMapProps) {
  const legendWidth = 64;
  const height = Math.max(200, Math.min(520, 60 + rows.length * 22));
  const base = plotArea(440, height);
  const plot = { ...base, right: base.right - legendWidth };
  const finite = values.flatMap((r) => r.filter((v): v is number => v !== null && Number.isFinite(v)));
  const ticks = niceTicks(0, Math.max(0, ...finite) || 1, 4);
  const top = ticks[ticks.length - 1]!;
  const cw = (plot.right - plot.left) / Math.max(1, columns.length);
  const ch = (plot.bottom - plot.top) / Math.max(1, rows.length);
  // the colour scale: a column of bands from 0 (bottom) to `top`
  const lx = plot.right + 14;
  const bands = 24;
  const bh = (plot.bottom - plot.top) / bands;
  const ly = (v: number) => plot.bottom - (v / top) * (plot.bottom - plot.top);
  return (
    <ChartSvg plot={{ ...base }} label={label} xLabel={xLabel} yLabel={yLabel}>
      <g className="heat-cells">
        {values.map((row, r) =>
          columns.map((_, c) => {
            const v = row[c] ?? null;
            return (
              <rect
                key={`${r}:${c}`}
                x={plot.left + c * cw}
                y={plot.top + r * ch}
                width={Math.max(0.5, cw - 1)}
                height={Math.max(0.5, ch - 1)}
                fill={v === null ? '#d9d9d9' : heatColor(v / top)}
                data-value={v ?? ''}
                {...(cellAttributes ? { [cellAttributes.row]: r, [cellAttributes.column]: c } : {})}
              >
                <title>{cellTitle ? cellTitle(r, c, v) : `${rows[r]}, ${columns[c]}: ${v ?? 'no value'}`}</title>
              </rect>
            );
          }),
        )}
      </g>
      <g className="y-axis">
        {thin(rows.length, Math.max(1, Math.floor((plot.bottom - plot.top) / 14))).map((r) => (
          <text key={r} x={plot.left - 6} y={plot.top + (r + 0.5) * ch} dy="0.32em" textAnchor="end">
            {rows[r]}
          </text>
        ))}
      </g>
      <XAxis plot={plot} ticks={thin(columns.length, 16).map((c) => ({ x: plot.left + (c + 0.5) * cw, label: columns[c]! }))} />
      <g className="color-legend" data-testid="heat-legend">
        {Array.from({ length: bands }, (_, i) => (
          <rect key={i} x={lx} y={plot.bottom - (i + 1) * bh} width={12} height={bh + 0.5} fill={heatColor((i + 0.5) / bands)} />
        ))}
        <rect x={lx} y={plot.top} width={12} height={plot.bottom - plot.top} fill="none" stroke={ink.axis} strokeWidth={0.5} />
        {ticks.map((t) => (
          <g key={t}>
            <line x1={lx + 12} x2={lx + 16} y1={ly(t)} y2={ly(t)} stroke={ink.axis} strokeWidth={1} />
            <text x={lx + 18} y={ly(t)} dy="0.32em">
              {formatTick(t)}
            </text>
          </g>
        ))}
        <text transform={`translate(${base.right + 10} ${(plot.top + plot.bottom) / 2}) rotate(90)`} textAnchor="middle">
          {legendLabel}
        </text>
      </g>
    </ChartSvg>
  );
}
