// The manifold as a 2-D publication figure: the points of one layer on two projection axes, axes
// labelled with the share of variance each explains (PCA), the colour legend, a caption, on a
// white (print) or dark background. SVG text that the vector PDF writer (charts/pdf.ts) reads, so
// the SVG and the PDF are the same figure. Pure: no DOM.
import { formatTick, linear, niceTicks } from '../charts/scale';
import { fontFamily } from '../charts/style';
import { hexToRgb, rgbToHex } from './palette';
import type { Legend } from './colouring';
import { liftForDark } from './darkFloor';

export { DARK_FLOOR, liftForDark } from './darkFloor';

export type FigureBackground = 'white' | 'dark';

export interface ManifoldFigure {
  /** [n * dims] point-major coordinates */
  coords: ArrayLike<number>;
  dims: number;
  /** [n * 3] RGB in 0..1, as the 3-D view colours the points */
  colors: ArrayLike<number>;
  legend: Legend;
  method: 'pca' | 'umap';
  /** PCA: the share of the layer's variance along each axis; null for UMAP */
  explainedVariance: readonly number[] | null;
  title: string;
  caption: string;
  background: FigureBackground;
  /** the two axes drawn (default 0 and 1) */
  axes?: readonly [number, number];
}

const W = 760;
const PLOT = { left: 70, top: 40, width: 460, height: 400 };
const LEGEND_X = PLOT.left + PLOT.width + 28;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** "PC1 (23.4% of variance)"; "UMAP 1" */
export function axisLabel(method: 'pca' | 'umap', axis: number, explained: readonly number[] | null): string {
  if (method === 'umap') return `UMAP ${axis + 1}`;
  const share = explained?.[axis];
  return share === undefined || !Number.isFinite(share) ? `PC${axis + 1}` : `PC${axis + 1} (${(share * 100).toFixed(1)}% of variance)`;
}

/** Words at most `width` characters a line (the caption under the plot). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function manifoldFigureSvg(f: ManifoldFigure): string {
  const [ax, ay] = f.axes ?? [0, 1];
  const n = Math.floor(f.coords.length / f.dims);
  const dark = f.background === 'dark';
  const ink = dark ? '#e8e8e8' : '#222222';
  const grid = dark ? '#3a3a3a' : '#e3e3e3';
  const bg = dark ? '#16181d' : '#ffffff';
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = f.coords[i * f.dims + ax] as number;
    const y = f.coords[i * f.dims + ay] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    xmin = Math.min(xmin, x);
    xmax = Math.max(xmax, x);
    ymin = Math.min(ymin, y);
    ymax = Math.max(ymax, y);
  }
  if (!(xmax > xmin)) [xmin, xmax] = [(xmin || 0) - 1, (xmax || 0) + 1];
  if (!(ymax > ymin)) [ymin, ymax] = [(ymin || 0) - 1, (ymax || 0) + 1];
  const xt = niceTicks(xmin, xmax);
  const yt = niceTicks(ymin, ymax);
  const x0 = Math.min(xmin, xt[0] ?? xmin);
  const x1 = Math.max(xmax, xt.at(-1) ?? xmax);
  const y0 = Math.min(ymin, yt[0] ?? ymin);
  const y1 = Math.max(ymax, yt.at(-1) ?? ymax);
  const sx = linear(x0, x1, PLOT.left, PLOT.left + PLOT.width);
  const sy = linear(y0, y1, PLOT.top + PLOT.height, PLOT.top);
  const captionLines = wrap(f.caption, 110);
  const H = PLOT.top + PLOT.height + 56 + 15 * captionLines.length + 10;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${esc(fontFamily)}">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="${bg}"/>`);
  out.push(`<text x="${PLOT.left}" y="22" font-size="14" font-weight="bold" fill="${ink}">${esc(f.title)}</text>`);
  // grid and ticks
  for (const t of xt) out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${PLOT.top}" y2="${PLOT.top + PLOT.height}" stroke="${grid}" stroke-width="1"/>`);
  for (const t of yt) out.push(`<line x1="${PLOT.left}" x2="${PLOT.left + PLOT.width}" y1="${sy(t)}" y2="${sy(t)}" stroke="${grid}" stroke-width="1"/>`);
  out.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.width}" height="${PLOT.height}" fill="none" stroke="${ink}" stroke-width="1"/>`);
  for (const t of xt) out.push(`<text x="${sx(t)}" y="${PLOT.top + PLOT.height + 16}" font-size="11" text-anchor="middle" fill="${ink}">${esc(formatTick(t))}</text>`);
  for (const t of yt) out.push(`<text x="${PLOT.left - 6}" y="${sy(t) + 4}" font-size="11" text-anchor="end" fill="${ink}">${esc(formatTick(t))}</text>`);
  out.push(`<text x="${PLOT.left + PLOT.width / 2}" y="${PLOT.top + PLOT.height + 36}" font-size="12" text-anchor="middle" fill="${ink}" data-axis="x">${esc(axisLabel(f.method, ax, f.explainedVariance))}</text>`);
  out.push(`<text x="18" y="${PLOT.top + PLOT.height / 2}" font-size="12" text-anchor="middle" fill="${ink}" transform="rotate(-90 18 ${PLOT.top + PLOT.height / 2})" data-axis="y">${esc(axisLabel(f.method, ay, f.explainedVariance))}</text>`);
  // points
  out.push('<g class="points">');
  for (let i = 0; i < n; i++) {
    const x = f.coords[i * f.dims + ax] as number;
    const y = f.coords[i * f.dims + ay] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const rgb: [number, number, number] = [f.colors[i * 3] as number, f.colors[i * 3 + 1] as number, f.colors[i * 3 + 2] as number];
    out.push(`<circle cx="${sx(x).toFixed(2)}" cy="${sy(y).toFixed(2)}" r="2.2" fill="${rgbToHex(dark ? liftForDark(rgb) : rgb)}"/>`);
  }
  out.push('</g>');
  // legend
  out.push(`<g class="legend"><text x="${LEGEND_X}" y="${PLOT.top + 4}" font-size="12" font-weight="bold" fill="${ink}">${esc(f.legend.title)}</text>`);
  if (f.legend.kind === 'categorical') {
    f.legend.entries.slice(0, 20).forEach((e, k) => {
      const y = PLOT.top + 22 + k * 18;
      out.push(`<rect x="${LEGEND_X}" y="${y - 9}" width="10" height="10" fill="${e.color}"/>`);
      out.push(`<text x="${LEGEND_X + 16}" y="${y}" font-size="11" fill="${ink}">${esc(`${e.label.length > 22 ? `${e.label.slice(0, 21)}…` : e.label} (${e.count})`)}</text>`);
    });
  } else {
    // the colour bar, low end at the bottom, drawn as stacked bands (the PDF writer has no gradients)
    const top = PLOT.top + 16;
    const h = 200;
    const bands = 50;
    const stops = f.legend.stops;
    for (let b = 0; b < bands; b++) {
      const t = b / (bands - 1);
      const color = stops[Math.round(t * (stops.length - 1))] as string;
      const shown = dark ? rgbToHex(liftForDark(hexToRgb(color))) : color;
      out.push(`<rect x="${LEGEND_X}" y="${(top + h - (b + 1) * (h / bands)).toFixed(2)}" width="14" height="${(h / bands + 0.5).toFixed(2)}" fill="${shown}"/>`);
    }
    out.push(`<text x="${LEGEND_X + 20}" y="${top + 10}" font-size="11" fill="${ink}">${esc(formatTick(f.legend.max))} (99th pct)</text>`);
    out.push(`<text x="${LEGEND_X + 20}" y="${top + h}" font-size="11" fill="${ink}">${esc(formatTick(f.legend.min))} (1st pct)</text>`);
    if (f.legend.missing > 0) out.push(`<text x="${LEGEND_X}" y="${top + h + 22}" font-size="11" fill="${ink}">grey: no value (${f.legend.missing})</text>`);
  }
  out.push('</g>');
  captionLines.forEach((line, k) => out.push(`<text x="${PLOT.left}" y="${PLOT.top + PLOT.height + 60 + 15 * k}" font-size="11" fill="${ink}" class="caption">${esc(line)}</text>`));
  out.push('</svg>');
  return out.join('\n');
}
