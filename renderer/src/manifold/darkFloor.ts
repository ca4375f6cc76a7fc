// Colours on a dark background: the low end of viridis (#440154, luminance 0.05) all but vanishes
// on the 3-D view's near-black canvas, so a colour darker than DARK_FLOOR is lifted towards white
// until its luminance is the floor. Hue order is kept; bright colours are untouched. Pure.
import type { Colouring } from './colouring';
import { hexToRgb, rgbToHex } from './palette';

/** The least luminance (linear Rec. 709 weights over 0..1 RGB) of a point drawn on a dark background. */
export const DARK_FLOOR = 0.22;

export function liftForDark(rgb: readonly number[]): [number, number, number] {
  const [r, g, b] = [rgb[0] ?? 0, rgb[1] ?? 0, rgb[2] ?? 0];
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  if (lum >= DARK_FLOOR) return [r, g, b];
  const t = (DARK_FLOOR - lum) / (1 - lum);
  return [r + (1 - r) * t, g + (1 - g) * t, b + (1 - b) * t];
}

/** The colouring as the dark 3-D view draws it: point colours and the legend's stops lifted alike. */
export function forDarkBackground(c: Colouring): Colouring {
  const colors = new Float32Array(c.colors.length);
  for (let i = 0; i + 2 < c.colors.length; i += 3) colors.set(liftForDark([c.colors[i]!, c.colors[i + 1]!, c.colors[i + 2]!]), i);
  const legend =
    c.legend.kind === 'continuous'
      ? { ...c.legend, stops: c.legend.stops.map((s) => rgbToHex(liftForDark(hexToRgb(s)))) }
      : { ...c.legend, entries: c.legend.entries.map((e) => ({ ...e, color: rgbToHex(liftForDark(hexToRgb(e.color))) })) };
  return { colors, legend };
}
