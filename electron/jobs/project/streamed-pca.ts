// PCA of rows streamed in blocks, its products run by onnxruntime (runtime/dense-linalg.ts) and
// finished in float64 here (analysis/pca-moments.ts). Exact route: one pass accumulates the
// shifted Gram matrix, then the full eigen-decomposition of the d x d covariance. Randomized
// route: subspace iteration on the covariance, one pass over the rows per product C Z with
// Z of k + oversample orthonormal columns, the last pass finished by Rayleigh-Ritz; O(n d l) a
// pass instead of O(n d^2). 'auto' takes the exact route for a few components (a 2-D or 3-D view)
// up to STREAMED_EXACT_MAX_DIMS: its one pass over the rows costs less than the randomized
// route's two while d^2 stays moderate, and the leading eigenpairs of the d x d covariance come
// cheaply from leadingEigen; more components (UMAP's 50) would need its full decomposition, and
// take the randomized route.
import { fromHalf } from '../../../common/half.js';
import { gaussian, prng } from '../../../common/prng.js';
import type { BlockProducts, RowData } from '../../../native-models/runtime/dense-linalg.js';
import { symmetricEigen } from '../../analysis/eigen.js';
import { orthonormalColumns, type Pca } from '../../analysis/pca.js';
import {
  accumulate,
  addMoments,
  covarianceFromGram,
  covarianceTimes,
  emptyMoments,
  leadingEigen,
  LEADING_ITERATION_MAX_K,
  momentsMean,
  momentsTotalVariance,
  pcaRecord,
  ritz,
  type ShiftedMoments,
} from '../../analysis/pca-moments.js';
import type { RowSource } from './row-source.js';

export interface StreamedPcaOptions {
  method?: 'auto' | 'exact' | 'randomized';
  seed?: number;
  /** extra columns of the randomized route's subspace (default randomizedWidth's) */
  oversample?: number;
  /** passes over the rows of the randomized route (default 2: Z = orth(C omega), then Rayleigh-Ritz on C Z) */
  passes?: number;
  /** called after each pass with the fraction of passes done */
  progress?(fraction: number): void;
}

function firstRow(x: RowData, d: number): Float32Array {
  return x instanceof Uint16Array ? Float32Array.from(x.subarray(0, d), fromHalf) : x.slice(0, d);
}

/** One pass: the block sums, and per block `each` (its rows, their shifted data). The shift is the first row seen unless given. */
async function pass(src: RowSource, shift: Float32Array | null, each: (x: RowData, shift: Float32Array) => Promise<{ sums: Float32Array; squares: number }>): Promise<ShiftedMoments> {
  let m: ShiftedMoments | null = null;
  let s = shift;
  for await (const b of src.blocks()) {
    const rows = b.data.length / src.d;
    if (rows === 0) continue;
    s ??= firstRow(b.data, src.d);
    m ??= emptyMoments(s);
    const got = await each(b.data, s);
    addMoments(m, rows, got.sums, got.squares);
  }
  if (!m || m.n !== src.n) throw new Error(`streamed PCA: the source gave ${m?.n ?? 0} rows, expected ${src.n}`);
  return m;
}

/** The shifted covariance's pieces from one pass (exact route, and the PCA-90 spectrum). */
export async function streamedCovariance(src: RowSource, products: BlockProducts): Promise<{ covariance: Float64Array; moments: ShiftedMoments }> {
  const gram = new Float64Array(src.d * src.d);
  const moments = await pass(src, null, async (x, s) => {
    const got = await products.gram(x, s);
    accumulate(gram, got.gram);
    return got;
  });
  return { covariance: covarianceFromGram(gram, moments), moments };
}

/** Every eigenvalue of the rows' covariance, largest first (what PCA-90 counts). */
export async function streamedSpectrum(src: RowSource, products: BlockProducts): Promise<Float64Array> {
  const { covariance } = await streamedCovariance(src, products);
  return symmetricEigen(covariance, src.d, { vectors: false }).values.map((v) => Math.max(0, v));
}

/**
 * Reading the rows costs more than multiplying them by a few dozen columns (a pass over 1M x 768
 * float16 rows from SQLite is mostly the read), so the randomized route makes few passes with a
 * wide subspace: k + max(10, k + 30) columns, two passes.
 */
export const RANDOMIZED_PASSES = 2;

/**
 * Widest rows 'auto' decomposes exactly. At d = 768 and 1,000,000 rows on the 2-core machine the
 * exact route (one read, 0.74 TFLOP of Gram panels) took 8.3 s against the randomized route's
 * 14.2 s (two reads, bench --manifold-maths); the Gram grows as d^2, so past about 1,024 columns
 * (an estimate from those figures) the randomized route costs less.
 */
export const STREAMED_EXACT_MAX_DIMS = 1024;
export function randomizedWidth(k: number, d: number, n: number, oversample?: number): number {
  return Math.min(d, n, k + (oversample ?? Math.max(10, k + 30)));
}

export async function streamedPca(src: RowSource, k: number, products: BlockProducts, opts: StreamedPcaOptions = {}): Promise<Pca> {
  const { n, d } = src;
  if (products.d !== d) throw new RangeError(`streamed PCA: the products are for rows of ${products.d}, the source has ${d}`);
  if (n < 2) throw new RangeError(`PCA needs at least 2 points, got ${n}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`PCA: components must be a positive integer, got ${k}`);
  const kk = Math.min(k, d, n);
  const method = opts.method ?? 'auto';
  const l = randomizedWidth(kk, d, n, opts.oversample);
  // a subspace as wide as the space is the whole space: the exact route is then cheaper too
  const exact = method === 'exact' || (method === 'auto' && d <= STREAMED_EXACT_MAX_DIMS && kk <= LEADING_ITERATION_MAX_K) || l === d;
  if (exact) {
    const { covariance, moments } = await streamedCovariance(src, products);
    opts.progress?.(1);
    const { components, variances } = leadingEigen(covariance, d, kk);
    return pcaRecord('exact', momentsMean(moments), components, variances, momentsTotalVariance(moments));
  }
  const passes = Math.max(1, opts.passes ?? RANDOMIZED_PASSES);
  const normal = gaussian(prng(opts.seed ?? 0));
  let z = orthonormalColumns(Float64Array.from({ length: d * l }, normal), d, l);
  let shift: Float32Array | null = null;
  for (let p = 0; p < passes; p++) {
    const z32 = Float32Array.from(z);
    const product = new Float64Array(d * l);
    const m = await pass(src, shift, async (x, s) => {
      const got = await products.gramTimes(x, s, z32, l);
      accumulate(product, got.product);
      return got;
    });
    shift = Float32Array.from(m.shift);
    // Z in float32 is what the graph multiplied by: Rayleigh-Ritz on that Z, not the float64 one
    const zUsed = Float64Array.from(z32);
    const cz = covarianceTimes(product, zUsed, l, m);
    opts.progress?.((p + 1) / passes);
    if (p === passes - 1) {
      const { components, variances } = ritz(zUsed, cz, d, l, kk);
      return pcaRecord('randomized', momentsMean(m), components, variances, momentsTotalVariance(m));
    }
    z = orthonormalColumns(cz, d, l);
  }
  throw new Error('streamed PCA: no pass ran');
}

/** Coordinates of every row in a PCA basis, [n * k] in the source's row order: (x - mean) . component, by block products. */
export async function streamedProject(src: RowSource, p: Pca, products: BlockProducts): Promise<Float32Array> {
  const { n, d } = src;
  if (p.dims !== d) throw new RangeError(`projection: the basis is for rows of ${p.dims}, the source has ${d}`);
  const k = p.components.length / d;
  const basis = new Float32Array(d * k); // [d, k]: components as columns
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) basis[j * k + c] = p.components[c * d + j] as number;
  const mean = Float32Array.from(p.mean);
  const out = new Float32Array(n * k);
  let next = 0;
  for await (const b of src.blocks()) {
    const rows = b.data.length / d;
    if (rows === 0) continue;
    const y = await products.times(b.data, mean, basis, k);
    if (!b.positions) out.set(y, next * k);
    else for (let r = 0; r < rows; r++) out.set(y.subarray(r * k, (r + 1) * k), (b.positions[r] as number) * k);
    next += rows;
  }
  return out;
}
