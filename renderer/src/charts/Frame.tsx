import type { ReactNode } from 'react';
import { linear, formatTick, niceTicks } from './scale';
import { chartSize, fontFamily, fontSize, ink, margin } from './style';

export interface Plot {
  width: number;
  height: number;
  /** the plotting area inside the margins */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function plotArea(width: number = chartSize.width, height: number = chartSize.height): Plot {
  return { width, height, left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
}

/**
 * The SVG root of every chart: a fixed CSS size (the PNG export scales it), the font and colours
 * as attributes so the exported file needs no stylesheet, a white background, and the axis titles.
 */
export function ChartSvg({ plot, label, xLabel, yLabel, children }: { plot: Plot; label: string; xLabel: string; yLabel: string; children: ReactNode }) {
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      className="chart-svg"
      width={plot.width}
      height={plot.height}
      viewBox={`0 0 ${plot.width} ${plot.height}`}
      role="img"
      aria-label={label}
      fontFamily={fontFamily}
      fontSize={fontSize.tick}
      fill={ink.text}
    >
      <title>{label}</title>
      <rect x={0} y={0} width={plot.width} height={plot.height} fill="#ffffff" />
      {children}
      <text className="axis-label" x={(plot.left + plot.right) / 2} y={plot.height - 8} textAnchor="middle" fontSize={fontSize.label}>
        {xLabel}
      </text>
      <text
        className="axis-label"
        transform={`translate(14 ${(plot.top + plot.bottom) / 2}) rotate(-90)`}
        textAnchor="middle"
        fontSize={fontSize.label}
      >
        {yLabel}
      </text>
    </svg>
  );
}

/** A linear y axis with gridlines; returns the scale and its ticks. */
export function yScale(plot: Plot, min: number, max: number): { y: (v: number) => number; ticks: number[] } {
  const ticks = niceTicks(min, max, 5);
  const y = linear(ticks[0]!, ticks[ticks.length - 1]!, plot.bottom, plot.top);
  return { y, ticks };
}

export function YAxis({ plot, y, ticks }: { plot: Plot; y: (v: number) => number; ticks: number[] }) {
  return (
    <g className="y-axis">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={plot.left} x2={plot.right} y1={y(t)} y2={y(t)} stroke={ink.grid} strokeWidth={1} />
          <line x1={plot.left - 4} x2={plot.left} y1={y(t)} y2={y(t)} stroke={ink.axis} strokeWidth={1} />
          <text x={plot.left - 7} y={y(t)} dy="0.32em" textAnchor="end">
            {formatTick(t)}
          </text>
        </g>
      ))}
      <line x1={plot.left} x2={plot.left} y1={plot.top} y2={plot.bottom} stroke={ink.axis} strokeWidth={1} />
    </g>
  );
}

/** The x axis line and labelled ticks at the given positions. */
export function XAxis({ plot, ticks }: { plot: Plot; ticks: { x: number; label: string }[] }) {
  return (
    <g className="x-axis">
      <line x1={plot.left} x2={plot.right} y1={plot.bottom} y2={plot.bottom} stroke={ink.axis} strokeWidth={1} />
      {ticks.map((t, i) => (
        <g key={i}>
          <line x1={t.x} x2={t.x} y1={plot.bottom} y2={plot.bottom + 4} stroke={ink.axis} strokeWidth={1} />
          <text x={t.x} y={plot.bottom + 16} textAnchor="middle">
            {t.label}
          </text>
        </g>
      ))}
    </g>
  );
}

/** At most about `max` of the items' indices, evenly spaced, so that tick labels do not collide. */
export function thin(count: number, max: number): number[] {
  const step = Math.max(1, Math.ceil(count / max));
  const out: number[] = [];
  for (let i = 0; i < count; i += step) out.push(i);
  return out;
}
