// PCA finished from block sums (the products themselves run elsewhere, block by block): rows are
// shifted by a provisional point s before any product, so float32 sums do not cancel on large
// offsets, and the true mean is put back here in float64. With delta = mean - s:
//   (n - 1) C   = sum (x - s)(x - s)^T - n delta delta^T
//   (n - 1) C Z = sum (x - s)((x - s)^T Z) - n delta (delta^T Z)
//   (n - 1) tr C = sum |x - s|^2 - n |delta|^2
// The exact route decomposes C; the randomized route is subspace iteration on C (each pass one
// product C Z, then orthonormalized), finished by Rayleigh-Ritz on the last orthonormal Z.
import { gaussian, prng } from '../../common/prng.js';
import { symmetricEigen } from './eigen.js';
import { orientSigns, orthonormalColumns, type Pca } from './pca.js';

/** Sums over the rows seen so far, all taken after subtracting `shift`. */
export interface ShiftedMoments {
  n: number;
  shift: Float64Array;
  /** sum of (x - shift), [d] */
  sums: Float64Array;
  /** sum of |x - shift|^2 */
  squares: number;
}

export function emptyMoments(shift: ArrayLike<number>): ShiftedMoments {
  return { n: 0, shift: Float64Array.from(shift), sums: new Float64Array(shift.length), squares: 0 };
}

/** Adds one block's sums (float32 from the graph) in float64. */
export function addMoments(m: ShiftedMoments, rows: number, sums: ArrayLike<number>, squares: number): void {
  m.n += rows;
  for (let j = 0; j < m.sums.length; j++) m.sums[j] = (m.sums[j] as number) + (sums[j] as number);
  m.squares += squares;
}

/** acc += block, elementwise in float64. */
export function accumulate(acc: Float64Array, block: ArrayLike<number>): void {
  if (acc.length !== block.length) throw new RangeError(`accumulate: ${block.length} values into ${acc.length}`);
  for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (block[i] as number);
}

export function momentsMean(m: ShiftedMoments): Float64Array {
  return m.shift.map((s, j) => s + (m.sums[j] as number) / m.n);
}

function delta(m: ShiftedMoments): Float64Array {
  return m.sums.map((s) => s / m.n);
}

export function momentsTotalVariance(m: ShiftedMoments): number {
  if (m.n < 2) return 0;
  const dl = delta(m);
  let dd = 0;
  for (const v of dl) dd += v * v;
  return Math.max(0, (m.squares - m.n * dd) / (m.n - 1));
}

/** The covariance [d * d] from the shifted Gram sum(x - s)(x - s)^T. */
export function covarianceFromGram(gram: ArrayLike<number>, m: ShiftedMoments): Float64Array {
  const d = m.shift.length;
  if (gram.length !== d * d) throw new RangeError(`covarianceFromGram: ${gram.length} values are not ${d} x ${d}`);
  const dl = delta(m);
  const c = new Float64Array(d * d);
  const norm = m.n > 1 ? 1 / (m.n - 1) : 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      // symmetrize: the float32 Gemm's two triangles may differ in the last bit
      const g = 0.5 * ((gram[a * d + b] as number) + (gram[b * d + a] as number));
      const v = (g - m.n * (dl[a] as number) * (dl[b] as number)) * norm;
      c[a * d + b] = v;
      c[b * d + a] = v;
    }
  }
  return c;
}

/** C Z [d * l] from the shifted product sum (x - s)((x - s)^T Z). */
export function covarianceTimes(product: ArrayLike<number>, z: ArrayLike<number>, l: number, m: ShiftedMoments): Float64Array {
  const d = m.shift.length;
  const dl = delta(m);
  const dz = new Float64Array(l); // delta^T Z
  for (let j = 0; j < d; j++) for (let c = 0; c < l; c++) dz[c] = (dz[c] as number) + (dl[j] as number) * (z[j * l + c] as number);
  const norm = m.n > 1 ? 1 / (m.n - 1) : 0;
  const out = new Float64Array(d * l);
  for (let j = 0; j < d; j++) for (let c = 0; c < l; c++) out[j * l + c] = ((product[j * l + c] as number) - m.n * (dl[j] as number) * (dz[c] as number)) * norm;
  return out;
}

/**
 * Rayleigh-Ritz: with Z [d * l] orthonormal and CZ = C Z, the eigenpairs of Z^T C Z give the best
 * approximations of C's leading eigenpairs within span(Z). Returns the first k.
 */
export function ritz(z: ArrayLike<number>, cz: ArrayLike<number>, d: number, l: number, k: number): { components: Float64Array; variances: number[] } {
  const t = new Float64Array(l * l);
  for (let a = 0; a < l; a++) {
    for (let b = a; b < l; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (z[j * l + a] as number) * (cz[j * l + b] as number) + (z[j * l + b] as number) * (cz[j * l + a] as number);
      t[a * l + b] = s / 2;
      t[b * l + a] = s / 2;
    }
  }
  const eig = symmetricEigen(t, l);
  const u = eig.vectors as Float64Array;
  const kk = Math.min(k, l);
  const components = new Float64Array(kk * d);
  for (let c = 0; c < kk; c++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let a = 0; a < l; a++) s += (z[j * l + a] as number) * (u[c * l + a] as number);
      components[c * d + j] = s;
    }
  }
  return { components, variances: Array.from(eig.values.subarray(0, kk), (v) => Math.max(0, v)) };
}

/** c [d * d] times z [d * l], both row-major. */
function symmetricTimes(c: Float64Array, z: Float64Array, d: number, l: number): Float64Array {
  const out = new Float64Array(d * l);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const cij = c[i * d + j] as number;
      if (cij === 0) continue;
      for (let a = 0; a < l; a++) out[i * l + a] = (out[i * l + a] as number) + cij * (z[j * l + a] as number);
    }
  }
  return out;
}

/** Largest |C v - lambda v| over the pairs, v the rows of `components`. */
function largestResidual(c: Float64Array, d: number, components: Float64Array, variances: readonly number[]): number {
  let worst = 0;
  variances.forEach((lambda, p) => {
    let r2 = 0;
    for (let i = 0; i < d; i++) {
      let cv = 0;
      for (let j = 0; j < d; j++) cv += (c[i * d + j] as number) * (components[p * d + j] as number);
      r2 += (cv - lambda * (components[p * d + i] as number)) ** 2;
    }
    worst = Math.max(worst, Math.sqrt(r2));
  });
  return worst;
}

/**
 * Subspace iteration serves a few leading pairs (a 2-D or 3-D view); fifty (UMAP's input) reach
 * into the flat noise floor, where the iteration would not converge before its budget ran out.
 */
export const LEADING_ITERATION_MAX_K = 8;

/** Converged: every pair's residual below this fraction of the largest eigenvalue (its eigenvalue is then good to about its square). */
const RESIDUAL_TOLERANCE = 1e-10;

/**
 * The leading k eigenpairs of a covariance [d * d] (the exact route). The full decomposition
 * costs about 4 d^3 in JavaScript (2.5 s at d = 768); when few pairs are asked for, subspace
 * iteration on C with k + 32 columns and Rayleigh-Ritz finds them to working precision for a
 * fraction of that, checked by each pair's residual |C v - lambda v|. Iterations stop while still
 * cheaper than the full decomposition; a spectrum too flat to converge by then, or more than
 * LEADING_ITERATION_MAX_K pairs, gets the full one.
 */
export function leadingEigen(c: Float64Array, d: number, k: number): { components: Float64Array; variances: number[] } {
  const kk = Math.min(k, d);
  const l = Math.min(d, kk + 32);
  if (kk <= LEADING_ITERATION_MAX_K && 4 * l <= d) {
    const normal = gaussian(prng(0x5eed));
    let z = orthonormalColumns(Float64Array.from({ length: d * l }, normal), d, l);
    const most = Math.floor(d / l);
    for (let it = 0; it < most; it++) {
      const cz = symmetricTimes(c, z, d, l);
      const got = ritz(z, cz, d, l, kk);
      const scale = Math.max(got.variances[0] ?? 0, Number.MIN_VALUE);
      if (largestResidual(c, d, got.components, got.variances) <= RESIDUAL_TOLERANCE * scale) return got;
      z = orthonormalColumns(cz, d, l);
    }
  }
  const eig = symmetricEigen(c, d);
  return { components: (eig.vectors as Float64Array).slice(0, kk * d), variances: Array.from(eig.values.subarray(0, kk), (v) => Math.max(0, v)) };
}

/** A Pca record (the shape analysis/pca.ts returns) from a mean, components and their variances. */
export function pcaRecord(method: Pca['method'], mean: Float64Array, components: Float64Array, variances: number[], total: number): Pca {
  const d = mean.length;
  orientSigns(components, variances.length, d);
  return { method, dims: d, mean, components, variances, totalVariance: total, explainedRatio: variances.map((v) => (total > 0 ? v / total : 0)) };
}
