// Per-layer summaries of a dataset's neurons (rows of neurons.list), for the layer charts.
import type { NeuronRow } from '../api/contract';
import { powerOfTen } from '../charts/scale';

export interface LayerSummary {
  layer: number;
  neurons: number;
  dead: number;
  /** the largest peak |activation| in the layer; null when none is known */
  maxPeak: number | null;
  /** the median excess kurtosis of the layer's neurons; null when none is known */
  medianKurtosis: number | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One summary per layer 0..layers-1 (layers with no rows included, with zeros and nulls). */
export function summarizeLayers(rows: readonly NeuronRow[], layers?: number | null): LayerSummary[] {
  const count = Math.max(layers ?? 0, ...rows.map((r) => r.layer + 1));
  const out: LayerSummary[] = [];
  const kurt: number[][] = [];
  for (let l = 0; l < count; l++) {
    out.push({ layer: l, neurons: 0, dead: 0, maxPeak: null, medianKurtosis: null });
    kurt.push([]);
  }
  for (const r of rows) {
    const s = out[r.layer]!;
    s.neurons++;
    if (r.verdicts.some((v) => v.kind === 'dead')) s.dead++;
    if (r.peak_abs !== null && Number.isFinite(r.peak_abs)) s.maxPeak = s.maxPeak === null ? r.peak_abs : Math.max(s.maxPeak, r.peak_abs);
    if (r.kurtosis !== null && Number.isFinite(r.kurtosis)) kurt[r.layer]!.push(r.kurtosis);
  }
  out.forEach((s, l) => (s.medianKurtosis = median(kurt[l]!)));
  return out;
}

export interface RateBin {
  label: string;
  /** [lo, hi): lo = hi = 0 for the zero bin */
  lo: number;
  hi: number;
  count: number;
}

/**
 * Fire rates in log-decade bins: a bin for exactly 0 (never fired), then [10^k, 10^(k+1)) from the
 * decade of the smallest non-zero rate (at most 10^-8) up to [0.1, 1] (1 included). Edge labels 10^k.
 */
export function fireRateBins(rates: readonly (number | null)[]): { bins: RateBin[]; edges: (string | null)[]; unknown: number } {
  const known = rates.filter((r): r is number => r !== null && Number.isFinite(r));
  const positive = known.filter((r) => r > 0);
  const minExp = positive.length ? Math.max(-8, Math.min(-1, Math.floor(Math.log10(Math.min(...positive))))) : -4;
  const bins: RateBin[] = [{ label: '0 (never fired)', lo: 0, hi: 0, count: 0 }];
  const edges: (string | null)[] = [null];
  for (let k = minExp; k < 0; k++) {
    bins.push({ label: `[1e${k}, 1e${k + 1})`, lo: 10 ** k, hi: 10 ** (k + 1), count: 0 });
    edges.push(powerOfTen(k));
  }
  edges.push(powerOfTen(0));
  bins[bins.length - 1]!.label = `[1e-1, 1]`;
  for (const r of known) {
    if (r <= 0) {
      bins[0]!.count++;
      continue;
    }
    const k = Math.min(-1, Math.max(minExp, Math.floor(Math.log10(r))));
    bins[k - minExp + 1]!.count++;
  }
  return { bins, edges, unknown: rates.length - known.length };
}
