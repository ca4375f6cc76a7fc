// A step's figure as a standalone SVG (horizontal bars with 95% interval whiskers), drawn
// without a browser so the CLI's HTML report embeds the same figure the app's report does.
import { formatStat } from '../format.js';
import type { NotebookFigure } from './types.js';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const ROW = 22;
const LABEL_W = 200;
const PLOT_W = 360;
const VALUE_W = 230;
const TOP = 34;
const BOTTOM = 28;

export function figureSvg(f: NotebookFigure): string {
  const width = LABEL_W + PLOT_W + VALUE_W;
  const height = TOP + f.bars.length * ROW + BOTTOM;
  const ends = f.bars.flatMap((b) => [b.value, b.low ?? b.value, b.high ?? b.value, 0]).filter(Number.isFinite);
  let lo = Math.min(...ends);
  let hi = Math.max(...ends);
  if (lo === hi) hi = lo + 1;
  const pad = (hi - lo) * 0.05;
  lo = lo < 0 ? lo - pad : lo;
  hi += pad;
  const x = (v: number) => LABEL_W + ((v - lo) / (hi - lo)) * PLOT_W;
  const zero = x(0);
  const parts: string[] = [];
  parts.push(`<text x="${LABEL_W}" y="18" font-size="13" font-weight="bold">${escapeXml(f.title)}</text>`);
  f.bars.forEach((b, i) => {
    const y = TOP + i * ROW;
    const x0 = Math.min(zero, x(b.value));
    const w = Math.max(1, Math.abs(x(b.value) - zero));
    parts.push(`<text x="${LABEL_W - 8}" y="${y + 14}" font-size="11" text-anchor="end">${escapeXml(b.label)}</text>`);
    parts.push(`<rect x="${x0.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="#0072B2"/>`);
    if (b.low !== null && b.high !== null) {
      const yc = y + ROW / 2;
      parts.push(`<path d="M${x(b.low).toFixed(1)} ${yc}H${x(b.high).toFixed(1)}M${x(b.low).toFixed(1)} ${yc - 4}v8M${x(b.high).toFixed(1)} ${yc - 4}v8" stroke="#222" fill="none"/>`);
    }
    const interval = b.low !== null && b.high !== null ? ` [${formatStat(b.low)}, ${formatStat(b.high)}]` : '';
    parts.push(`<text x="${LABEL_W + PLOT_W + 8}" y="${y + 14}" font-size="11">${escapeXml(formatStat(b.value) + interval)}</text>`);
  });
  const axisY = TOP + f.bars.length * ROW;
  parts.push(`<path d="M${zero.toFixed(1)} ${TOP - 4}V${axisY}M${LABEL_W} ${axisY}H${LABEL_W + PLOT_W}" stroke="#888" fill="none"/>`);
  parts.push(`<text x="${LABEL_W}" y="${axisY + 16}" font-size="10">${escapeXml(formatStat(lo))}</text>`);
  parts.push(`<text x="${LABEL_W + PLOT_W}" y="${axisY + 16}" font-size="10" text-anchor="end">${escapeXml(formatStat(hi))}</text>`);
  parts.push(`<text x="${LABEL_W + PLOT_W / 2}" y="${axisY + 16}" font-size="10" text-anchor="middle">${escapeXml(f.unit)}</text>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" role="img" aria-label="${escapeXml(f.title)}">` +
    `<rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>`
  );
}
