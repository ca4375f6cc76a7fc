// Principal components of n points in d dimensions (rows of a row-major [n * d] array).
// Exact: the d x d covariance and its full eigen-decomposition, O(n d^2 + d^3). Randomized (Halko,
// Martinsson & Tropp 2011, algorithm 4.4 with power iterations): a Gaussian sketch of the centred
// data, orthonormalized and refined by a few passes, then the exact decomposition of the small
// projected matrix, O(n d l) per pass with l = k + oversampling. 'auto' takes the exact route
// while n d^2 and d^3 stay small enough to be quick in JavaScript.
import { gaussian, prng, type Rand } from '../../common/prng.js';
import { symmetricEigen } from './eigen.js';

export type Rows = Float32Array | Float64Array;

export interface Pca {
  method: 'exact' | 'randomized';
  /** d */
  dims: number;
  mean: Float64Array;
  /** k unit vectors of d, as rows ([k * d]), by decreasing variance */
  components: Float64Array;
  /** variance along each component (unbiased, n - 1) */
  variances: number[];
  /** the data's total variance (trace of the covariance) */
  totalVariance: number;
  /** variances / totalVariance */
  explainedRatio: number[];
}

export interface PcaOptions {
  method?: 'auto' | 'exact' | 'randomized';
  seed?: number;
  /** extra sketch columns for the randomized route (default 10) */
  oversample?: number;
  /** power iterations of the randomized route (default 3) */
  powerIterations?: number;
}

/**
 * Under 'auto' the exact route is taken while the covariance stays cheap (n d^2 multiply-adds)
 * and its full eigen-decomposition too (about 4 d^3 with vectors: d = 768 costs seconds).
 */
export const EXACT_PCA_WORK = 2e9;
export const EXACT_PCA_MAX_DIMS = 256;

export function columnMeans(x: Rows, n: number, d: number): Float64Array {
  checkShape(x, n, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[o + j] as number);
  }
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / Math.max(1, n);
  return mean;
}

/** Trace of the covariance (unbiased): the sum of every coordinate's variance. */
export function totalVariance(x: Rows, n: number, d: number, mean = columnMeans(x, n, d)): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = (x[o + j] as number) - (mean[j] as number);
      s += v * v;
    }
  }
  return n > 1 ? s / (n - 1) : 0;
}

/** The covariance matrix [d * d] (unbiased), accumulated over rows in float64. */
export function covariance(x: Rows, n: number, d: number, mean = columnMeans(x, n, d)): Float64Array {
  const c = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) row[j] = (x[o + j] as number) - (mean[j] as number);
    // upper triangle only; mirrored below
    for (let a = 0; a < d; a++) {
      const va = row[a] as number;
      if (va === 0) continue;
      const ca = a * d;
      for (let b = a; b < d; b++) c[ca + b] = (c[ca + b] as number) + va * (row[b] as number);
    }
  }
  const norm = n > 1 ? 1 / (n - 1) : 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = (c[a * d + b] as number) * norm;
      c[a * d + b] = v;
      c[b * d + a] = v;
    }
  }
  return c;
}

/** Every eigenvalue of the covariance, largest first (the full spectrum PCA-90 needs). */
export function covarianceSpectrum(x: Rows, n: number, d: number): Float64Array {
  return symmetricEigen(covariance(x, n, d), d, { vectors: false }).values.map((v) => Math.max(0, v));
}

/**
 * The number of leading components that explain at least `fraction` of the variance, from a
 * spectrum sorted largest first (the PCA estimate of intrinsic dimension at 0.9).
 */
export function componentsFor(spectrum: ArrayLike<number>, fraction = 0.9): number {
  let total = 0;
  for (let i = 0; i < spectrum.length; i++) total += Math.max(0, spectrum[i] as number);
  if (total === 0) return 0;
  let s = 0;
  for (let i = 0; i < spectrum.length; i++) {
    s += Math.max(0, spectrum[i] as number);
    // a hair of slack so that an exactly-on-the-boundary spectrum is not pushed one further by rounding
    if (s >= fraction * total * (1 - 1e-12)) return i + 1;
  }
  return spectrum.length;
}

export function pca(x: Rows, n: number, d: number, k: number, opts: PcaOptions = {}): Pca {
  checkShape(x, n, d);
  if (n < 2) throw new RangeError(`PCA needs at least 2 points, got ${n}`);
  const kk = Math.min(k, d, n);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`PCA: components must be a positive integer, got ${k}`);
  const method = opts.method ?? 'auto';
  const exact = method === 'exact' || (method === 'auto' && d <= EXACT_PCA_MAX_DIMS && n * d * d <= EXACT_PCA_WORK);
  const mean = columnMeans(x, n, d);
  const total = totalVariance(x, n, d, mean);
  let components: Float64Array;
  let variances: number[];
  if (exact) {
    const eig = symmetricEigen(covariance(x, n, d, mean), d);
    components = (eig.vectors as Float64Array).slice(0, kk * d);
    variances = Array.from(eig.values.subarray(0, kk), (v) => Math.max(0, v));
  } else {
    ({ components, variances } = randomized(x, n, d, mean, kk, opts.oversample ?? 10, opts.powerIterations ?? 3, prng(opts.seed ?? 0)));
  }
  orientSigns(components, kk, d);
  return {
    method: exact ? 'exact' : 'randomized',
    dims: d,
    mean,
    components,
    variances,
    totalVariance: total,
    explainedRatio: variances.map((v) => (total > 0 ? v / total : 0)),
  };
}

/** Coordinates of rows in a PCA basis: [n * k], (x - mean) . component. */
export function project(p: Pca, x: Rows, n: number): Float32Array {
  const d = p.dims;
  checkShape(x, n, d);
  const k = p.components.length / d;
  const out = new Float32Array(n * k);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = (x[i * d + j] as number) - (p.mean[j] as number);
    for (let c = 0; c < k; c++) out[i * k + c] = dot(row, 0, p.components, c * d, d);
  }
  return out;
}

function randomized(x: Rows, n: number, d: number, mean: Float64Array, k: number, oversample: number, iterations: number, rand: Rand): { components: Float64Array; variances: number[] } {
  const l = Math.min(d, n, k + oversample);
  const normal = gaussian(rand);
  // omega [d * l] -> y = (X - mean) omega [n * l]
  const omega = Float64Array.from({ length: d * l }, normal);
  let q = orthonormalColumns(centredTimes(x, n, d, mean, omega, l), n, l);
  for (let it = 0; it < iterations; it++) {
    const z = orthonormalColumns(centredTransposeTimes(x, n, d, mean, q, l), d, l);
    q = orthonormalColumns(centredTimes(x, n, d, mean, z, l), n, l);
  }
  // B = Q^T (X - mean) [l * d]; its right singular vectors are the components
  const bt = centredTransposeTimes(x, n, d, mean, q, l); // [d * l] = B^T
  const gram = new Float64Array(l * l); // B B^T
  for (let a = 0; a < l; a++) {
    for (let b = a; b < l; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (bt[j * l + a] as number) * (bt[j * l + b] as number);
      gram[a * l + b] = s;
      gram[b * l + a] = s;
    }
  }
  const eig = symmetricEigen(gram, l);
  const u = eig.vectors as Float64Array;
  const components = new Float64Array(k * d);
  const variances: number[] = [];
  for (let c = 0; c < k; c++) {
    const s2 = Math.max(0, eig.values[c] as number);
    const sigma = Math.sqrt(s2);
    // v = B^T u / sigma
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let a = 0; a < l; a++) s += (bt[j * l + a] as number) * (u[c * l + a] as number);
      components[c * d + j] = sigma > 0 ? s / sigma : 0;
    }
    variances.push(s2 / (n - 1));
  }
  return { components, variances };
}

/** (X - 1 mean^T) M for M [d * l]: [n * l]. */
function centredTimes(x: Rows, n: number, d: number, mean: Float64Array, m: Float64Array, l: number): Float64Array {
  const shift = new Float64Array(l); // mean^T M
  for (let j = 0; j < d; j++) for (let c = 0; c < l; c++) shift[c] = (shift[c] as number) + (mean[j] as number) * (m[j * l + c] as number);
  const out = new Float64Array(n * l);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    const r = i * l;
    for (let j = 0; j < d; j++) {
      const v = x[o + j] as number;
      if (v === 0) continue;
      const mj = j * l;
      for (let c = 0; c < l; c++) out[r + c] = (out[r + c] as number) + v * (m[mj + c] as number);
    }
    for (let c = 0; c < l; c++) out[r + c] = (out[r + c] as number) - (shift[c] as number);
  }
  return out;
}

/** (X - 1 mean^T)^T Q for Q [n * l]: [d * l]. */
function centredTransposeTimes(x: Rows, n: number, d: number, mean: Float64Array, q: Float64Array, l: number): Float64Array {
  const out = new Float64Array(d * l);
  const colSum = new Float64Array(l); // 1^T Q
  for (let i = 0; i < n; i++) {
    const o = i * d;
    const r = i * l;
    for (let c = 0; c < l; c++) colSum[c] = (colSum[c] as number) + (q[r + c] as number);
    for (let j = 0; j < d; j++) {
      const v = x[o + j] as number;
      if (v === 0) continue;
      const mj = j * l;
      for (let c = 0; c < l; c++) out[mj + c] = (out[mj + c] as number) + v * (q[r + c] as number);
    }
  }
  for (let j = 0; j < d; j++) for (let c = 0; c < l; c++) out[j * l + c] = (out[j * l + c] as number) - (mean[j] as number) * (colSum[c] as number);
  return out;
}

/** Modified Gram-Schmidt, twice (re-orthogonalization keeps it orthonormal to working precision). */
export function orthonormalColumns(a: Float64Array, rows: number, cols: number): Float64Array {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < cols; c++) {
      for (let p = 0; p < c; p++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += (a[i * cols + c] as number) * (a[i * cols + p] as number);
        for (let i = 0; i < rows; i++) a[i * cols + c] = (a[i * cols + c] as number) - s * (a[i * cols + p] as number);
      }
      let norm = 0;
      for (let i = 0; i < rows; i++) norm += (a[i * cols + c] as number) ** 2;
      norm = Math.sqrt(norm);
      // a column that vanished (rank below l) stays zero; it then carries no variance
      for (let i = 0; i < rows; i++) a[i * cols + c] = norm > 1e-300 ? (a[i * cols + c] as number) / norm : 0;
    }
  }
  return a;
}

/** A component's sign is arbitrary: fix it (largest |coordinate| positive) so runs and routes agree. */
export function orientSigns(components: Float64Array, k: number, d: number): void {
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let j = 0; j < d; j++) if (Math.abs(components[c * d + j] as number) > Math.abs(best)) best = components[c * d + j] as number;
    if (best < 0) for (let j = 0; j < d; j++) components[c * d + j] = -(components[c * d + j] as number);
  }
}

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += (a[ao + i] as number) * (b[bo + i] as number);
  return s;
}

function checkShape(x: Rows, n: number, d: number): void {
  if (x.length !== n * d) throw new RangeError(`expected ${n} x ${d} = ${n * d} values, got ${x.length}`);
}
