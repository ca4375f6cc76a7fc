import type { Plot } from './Frame';
import { formatTick, linear, niceTicks } from './scale';
import { ink } from './style';

/** A linear x scale over nice ticks covering [min, max]. */
export function xScale(plot: Plot, min: number, max: number): { x: (v: number) => number; ticks: number[] } {
  const ticks = niceTicks(min, max, 5);
  return { x: linear(ticks[0]!, ticks[ticks.length - 1]!, plot.left, plot.right), ticks };
}

/** Vertical gridlines and the x axis with labelled ticks (values, formatted by `format`). */
export function LinearXAxis({ plot, x, ticks, format = formatTick }: { plot: Plot; x: (v: number) => number; ticks: number[]; format?: (v: number) => string }) {
  return (
    <g className="x-axis">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={plot.top} y2={plot.bottom} stroke={ink.grid} strokeWidth={1} />
          <line x1={x(t)} x2={x(t)} y1={plot.bottom} y2={plot.bottom + 4} stroke={ink.axis} strokeWidth={1} />
          <text x={x(t)} y={plot.bottom + 16} textAnchor="middle">
            {format(t)}
          </text>
        </g>
      ))}
      <line x1={plot.left} x2={plot.right} y1={plot.bottom} y2={plot.bottom} stroke={ink.axis} strokeWidth={1} />
    </g>
  );
}

/** A legend: a swatch and a name per series, in a row from (x, y). */
export function Legend({ x, y, items }: { x: number; y: number; items: readonly { name: string; color: string }[] }) {
  let at = x;
  return (
    <g className="legend">
      {items.map((item) => {
        const left = at;
        at += 26 + item.name.length * 6.2;
        return (
          <g key={item.name}>
            <rect x={left} y={y - 8} width={14} height={10} fill={item.color} />
            <text x={left + 18} y={y}>
              {item.name}
            </text>
          </g>
        );
      })}
    </g>
  );
}
