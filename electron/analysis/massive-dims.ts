// Massive activations in the residual stream (Sun et al. 2024, "Massive Activations in Large
// Language Models"): a few hidden dimensions take values 100-10,000x the typical |value| of the
// hidden state, at a few tokens (the first token, delimiters), and act like fixed biases.
//
// Per layer (the residual stream after block l), a dim is massive when its largest |value| over
// the capture is at least minRatio x the layer's median |hidden value| and at least minAbs:
// - the median comes from the capture's sampled hidden states (every dim of every sampled token of
//   that layer), because the capture keeps only each dim's top values, not its bulk; without
//   samples the detector says so instead of guessing a scale;
// - minRatio 100: the low end of the paper's 100-10,000x; the paper's own cut for LLaMA-scale
//   models is |value| > 100 and ~1,000x the median, which small models never reach;
// - minAbs 20: a floor in absolute units, so that a layer whose typical |value| is tiny (an early
//   layer, a randomly initialised or very small model: median ~0.01) does not call a value of 1 or
//   2 "massive"; real massive activations are in the tens to thousands.
// Each massive dim is reported with the tokens where its largest values occur and the first layer
// where it is massive: the block that creates it (super-weights.ts looks there for the weight).

import type { ResidTopRow } from './resid-top.js';

export const MASSIVE_DIMS_DEFAULTS = { minRatio: 100, minAbs: 20 } as const;

export interface MassiveDimsOptions {
  minRatio?: number;
  minAbs?: number;
}

export interface ResidOccurrence {
  /** the signed value */
  value: number;
  abs: number;
  documentId: number;
  position: number;
  tokenId: number;
}

export interface MassiveDimsInput {
  layers: number;
  dims: number;
  /** the capture's residual maxima (resid_top rows, any order); null: the capture has none */
  top: readonly ResidTopRow[] | null;
  /** [L] median |hidden value| per layer over the sampled tokens; null: the capture has no samples */
  layerMedian: ArrayLike<number> | null;
  /** how many sampled tokens the medians come from */
  samples: number;
}

export interface MassiveLayerDim {
  dim: number;
  /** the largest |value| in this layer */
  maxAbs: number;
  /** maxAbs / the layer's median |value| (Infinity when the median is 0) */
  ratio: number;
  /** the first layer where this dim is massive */
  firstLayer: number;
  /** its largest values in this layer, largest first */
  occurrences: ResidOccurrence[];
}

export interface MassiveLayer {
  layer: number;
  /** median |hidden value| of the layer over the sampled tokens */
  median: number;
  /** max(minRatio x median, minAbs): a dim at or above it is massive */
  threshold: number;
  dims: MassiveLayerDim[];
}

export interface MassiveDim {
  dim: number;
  firstLayer: number;
  /** every layer where it is massive */
  layers: number[];
  /** at the first layer: its largest |value|, the ratio to that layer's median, where it occurs */
  maxAbs: number;
  ratio: number;
  occurrences: ResidOccurrence[];
}

export type MassiveDimsResult =
  | { available: false; reason: string; thresholds: { minRatio: number; minAbs: number } }
  | { available: true; thresholds: { minRatio: number; minAbs: number }; samples: number; layers: MassiveLayer[]; dims: MassiveDim[] };

export function detectMassiveDims(input: MassiveDimsInput, options: MassiveDimsOptions = {}): MassiveDimsResult {
  const minRatio = options.minRatio ?? MASSIVE_DIMS_DEFAULTS.minRatio;
  const minAbs = options.minAbs ?? MASSIVE_DIMS_DEFAULTS.minAbs;
  if (!(minRatio >= 0) || !(minAbs >= 0)) throw new Error(`massive dims: minRatio and minAbs must be non-negative numbers, got ${minRatio} and ${minAbs}`);
  const thresholds = { minRatio, minAbs };
  const { layers: L, dims: D } = input;
  if (input.top === null) return { available: false, reason: 'the capture has no residual-stream maxima (it was made before they were recorded, or merged from such a capture): re-capture', thresholds };
  if (input.layerMedian === null || input.samples === 0) return { available: false, reason: 'the capture has no sampled hidden states to measure the typical |value| of a layer: re-capture with samples (--samples N)', thresholds };
  if (input.layerMedian.length !== L) throw new Error(`massive dims: ${input.layerMedian.length} layer medians for ${L} layers`);

  // per (layer, dim) its occurrences, largest first
  const byDim = new Map<number, ResidOccurrence[]>();
  for (const r of input.top) {
    if (r.layer < 0 || r.layer >= L || r.dim < 0 || r.dim >= D) throw new Error(`massive dims: row (layer ${r.layer}, dim ${r.dim}) is outside ${L} layers x ${D} dims`);
    const key = r.layer * D + r.dim;
    const list = byDim.get(key) ?? [];
    list.push({ value: r.value, abs: r.abs, documentId: r.documentId, position: r.position, tokenId: r.tokenId });
    byDim.set(key, list);
  }
  for (const list of byDim.values()) list.sort((a, b) => b.abs - a.abs || a.documentId - b.documentId || a.position - b.position);

  const layers: MassiveLayer[] = [];
  const firstOf = new Map<number, number>();
  for (let l = 0; l < L; l++) {
    const median = Number(input.layerMedian[l]);
    const threshold = Math.max(minRatio * median, minAbs);
    const dims: MassiveLayerDim[] = [];
    for (let d = 0; d < D; d++) {
      const occ = byDim.get(l * D + d);
      const maxAbs = occ?.[0]?.abs ?? 0;
      // NaN medians (no finite sample) never pass; Infinity values do (and say so)
      if (!occ || !(maxAbs >= threshold)) continue;
      if (!firstOf.has(d)) firstOf.set(d, l);
      dims.push({ dim: d, maxAbs, ratio: median > 0 ? maxAbs / median : Infinity, firstLayer: firstOf.get(d)!, occurrences: occ });
    }
    dims.sort((a, b) => b.maxAbs - a.maxAbs || a.dim - b.dim);
    layers.push({ layer: l, median, threshold, dims });
  }
  const dims: MassiveDim[] = [...firstOf.entries()]
    .map(([dim, first]) => {
      const at = layers[first]!.dims.find((x) => x.dim === dim)!;
      return { dim, firstLayer: first, layers: layers.filter((x) => x.dims.some((y) => y.dim === dim)).map((x) => x.layer), maxAbs: at.maxAbs, ratio: at.ratio, occurrences: at.occurrences };
    })
    .sort((a, b) => a.firstLayer - b.firstLayer || b.maxAbs - a.maxAbs || a.dim - b.dim);
  return { available: true, thresholds, samples: input.samples, layers, dims };
}

/**
 * The median of |v| over the values that are not NaN (the mean of the two middle ones for an even
 * count); NaN when there are none. Quickselect on a copy: a layer of a few thousand samples of a
 * wide model is millions of values.
 */
export function medianAbs(values: ArrayLike<number>): number {
  const a = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) a[n++] = Math.abs(v);
  }
  if (n === 0) return NaN;
  const hi = select(a, n, n >> 1);
  if (n % 2 === 1) return hi;
  // the largest of the lower half, which select has left below n >> 1
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}

/** The k-th smallest of a[0..n) (Hoare quickselect, middle pivot); leaves smaller values before k. */
function select(a: Float64Array, n: number, k: number): number {
  let left = 0;
  let right = n - 1;
  while (left < right) {
    const pivot = a[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}
