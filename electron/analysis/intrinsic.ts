// Intrinsic dimension of one layer's hidden states, two ways side by side: TwoNN (local, sees a
// curved sheet as 2-D) and PCA-90 (the components that hold 90% of the variance: the linear span).
import { prng } from '../../common/prng.js';
import { componentsFor, covarianceSpectrum, type Rows } from './pca.js';
import { twoNn } from './twonn.js';

/** TwoNN is O(n^2 d): estimates use at most this many points by default. */
export const INTRINSIC_POINTS = 2000;

export interface IntrinsicEstimate {
  twonn: number;
  pca90: number;
  points: number;
}

/** `k` distinct indices of 0..n-1 (all when k >= n), chosen with a seed, in increasing order. */
export function seededSubset(n: number, k: number, seed: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const r = prng(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  // partial Fisher-Yates: the first k places get a uniform sample
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(r() * (n - i));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

/** Rows `which` of x, copied into [which.length * d]. */
export function pickRows(x: Rows, d: number, which: readonly number[]): Float32Array {
  const out = new Float32Array(which.length * d);
  which.forEach((row, i) => out.set(x.subarray(row * d, (row + 1) * d), i * d));
  return out;
}

export function intrinsicDimension(x: Rows, n: number, d: number, o: { maxPoints?: number; seed?: number } = {}): IntrinsicEstimate {
  const which = seededSubset(n, o.maxPoints ?? INTRINSIC_POINTS, o.seed ?? 0);
  const sub = which.length === n ? x : pickRows(x, d, which);
  const m = which.length;
  return { twonn: twoNn(sub, m, d).dimension, pca90: componentsFor(covarianceSpectrum(sub, m, d)), points: m };
}
