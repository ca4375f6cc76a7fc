// Colour-blind-safe colours for the point cloud: Okabe-Ito, then Paul Tol's muted scheme, for
// categories (at most 15 distinct, the rest grey as "other"); viridis and cividis for values.
import { okabeIto } from '../charts/style';

export type Rgb = readonly [number, number, number];

/** Okabe & Ito (without black, which vanishes on a dark background), then Tol's muted (2018). */
export const categorical: readonly string[] = [
  okabeIto.blue,
  okabeIto.orange,
  okabeIto.green,
  okabeIto.vermillion,
  okabeIto.purple,
  okabeIto.skyBlue,
  okabeIto.yellow,
  '#332288',
  '#88CCEE',
  '#44AA99',
  '#117733',
  '#999933',
  '#DDCC77',
  '#CC6677',
  '#882255',
];

export const otherColor = '#9a9a9a';

/** Anchors sampled evenly from matplotlib's viridis and cividis (CC0); interpolated linearly. */
const anchors: Record<'viridis' | 'cividis', readonly string[]> = {
  viridis: ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'],
  cividis: ['#00224e', '#123570', '#3b496c', '#575d6d', '#707173', '#8a8779', '#a69d75', '#c4b56c', '#e4cf5b', '#fee838'],
};

export type ColormapName = keyof typeof anchors;

export function hexToRgb(hex: string): Rgb {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255];
}

export function rgbToHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(Math.min(1, Math.max(0, c)) * 255).toString(16).padStart(2, '0')).join('')}`;
}

/** The colormap at t in [0, 1] (clamped; NaN gives grey). */
export function colormap(name: ColormapName, t: number): Rgb {
  if (!Number.isFinite(t)) return hexToRgb(otherColor);
  const stops = anchors[name];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const a = hexToRgb(stops[i] as string);
  const b = hexToRgb(stops[i + 1] as string);
  const f = x - i;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}
