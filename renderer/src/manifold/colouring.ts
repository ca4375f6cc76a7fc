// Point colours from one attribute of the points, and the legend that explains them: categories
// (genre, part of speech, token, document) get the categorical palette by frequency, the rest
// "other"; numbers (position, loss, a neuron's activation) a colormap between the 1st and 99th
// percentiles, so one outlier does not wash out the rest.
import { categorical, colormap, hexToRgb, otherColor, rgbToHex, type ColormapName } from './palette';

export type Value = string | number | boolean | null | undefined;

export type Legend =
  | { kind: 'categorical'; title: string; entries: Array<{ label: string; color: string; count: number }> }
  | { kind: 'continuous'; title: string; min: number; max: number; colormap: ColormapName; stops: string[]; missing: number };

export interface Colouring {
  /** [n * 3] RGB in 0..1 */
  colors: Float32Array;
  legend: Legend;
}

export function isNumeric(values: readonly Value[]): boolean {
  let numbers = 0;
  for (const v of values) {
    if (typeof v === 'number') numbers++;
    else if (v !== null && v !== undefined) return false;
  }
  return numbers > 0;
}

export function categoricalColouring(title: string, values: readonly Value[], maxCategories = categorical.length): Colouring {
  const counts = new Map<string, number>();
  const keys = values.map((v) => (v === null || v === undefined || v === '' ? '(none)' : String(v)));
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const ranked = [...counts.entries()].filter(([k]) => k !== '(none)').sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = ranked.slice(0, maxCategories);
  const colorOf = new Map(shown.map(([k], i) => [k, categorical[i] as string]));
  const colors = new Float32Array(values.length * 3);
  keys.forEach((k, i) => colors.set(hexToRgb(colorOf.get(k) ?? otherColor), i * 3));
  const entries = shown.map(([label, count]) => ({ label, color: colorOf.get(label) as string, count }));
  const rest = values.length - entries.reduce((s, e) => s + e.count, 0);
  if (rest > 0) entries.push({ label: ranked.length > shown.length ? `other (${ranked.length - shown.length} more)` : '(none)', color: otherColor, count: rest });
  return { colors, legend: { kind: 'categorical', title, entries } };
}

/** The q-quantile of the finite values (sorted copy; q in [0, 1]). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const x = q * (sorted.length - 1);
  const i = Math.floor(x);
  return (sorted[i] as number) + ((sorted[Math.min(sorted.length - 1, i + 1)] as number) - (sorted[i] as number)) * (x - i);
}

export function continuousColouring(title: string, values: readonly Value[], map: ColormapName = 'viridis'): Colouring {
  const nums = values.map((v) => (typeof v === 'number' ? v : NaN));
  const lo = quantile(nums, 0.01);
  const hi = quantile(nums, 0.99);
  const span = hi > lo ? hi - lo : 1;
  const colors = new Float32Array(values.length * 3);
  let missing = 0;
  nums.forEach((v, i) => {
    if (!Number.isFinite(v)) missing++;
    colors.set(colormap(map, Number.isFinite(v) ? (v - lo) / span : NaN), i * 3);
  });
  const stops = Array.from({ length: 11 }, (_, i) => rgbToHex(colormap(map, i / 10)));
  return { colors, legend: { kind: 'continuous', title, min: lo, max: hi, colormap: map, stops, missing } };
}

/** Categories for text and booleans, a colormap for numbers. */
export function colouringOf(title: string, values: readonly Value[], map: ColormapName = 'viridis'): Colouring {
  return isNumeric(values) ? continuousColouring(title, values, map) : categoricalColouring(title, values);
}

/** The top-1 expert of each point at a model layer, as categories ("expert 3"); null where not stored. */
export function expertValues(topExpert: ReadonlyArray<ReadonlyArray<number | null>> | null | undefined, layer: number, points: number): Value[] {
  const row = topExpert?.[layer];
  return Array.from({ length: points }, (_, i) => {
    const e = row?.[i];
    return e === null || e === undefined ? null : `expert ${e}`;
  });
}
