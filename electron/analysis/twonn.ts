// TwoNN intrinsic dimension (Facco, d'Errico, Rodriguez & Laio 2017): for each point the ratio
// mu = r2 / r1 of its second to first nearest-neighbour distance follows a Pareto law with
// exponent d, whatever the density, as long as it is locally uniform. So -log(1 - F(mu)) = d log mu:
// sort the ratios, drop the largest 10% (where noise and curvature live), and fit a line through
// the origin. Needs only the two nearest neighbours, so it sees the manifold's local dimension,
// unlike PCA, which counts the directions of the linear span.
import type { Rows } from './pca.js';

export interface TwoNnResult {
  dimension: number;
  /** points used (those with a nonzero nearest-neighbour distance) */
  points: number;
  /** points dropped because a duplicate sits at distance 0 */
  duplicates: number;
}

/** Squared norms of the rows. */
function rowNorms(x: Rows, n: number, d: number): Float64Array {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * d, end = j + d; j < end; j++) s += (x[j] as number) * (x[j] as number);
    norms[i] = s;
  }
  return norms;
}

/**
 * The two smallest distances from each row to the others, by brute force over all pairs (O(n^2 d);
 * callers subsample to a few thousand points). Distances from |a|^2 + |b|^2 - 2 a.b in float64.
 */
export function twoNearest(x: Rows, n: number, d: number): { r1: Float64Array; r2: Float64Array } {
  if (x.length !== n * d) throw new RangeError(`expected ${n} x ${d} = ${n * d} values, got ${x.length}`);
  const norms = rowNorms(x, n, d);
  const r1 = new Float64Array(n).fill(Infinity);
  const r2 = new Float64Array(n).fill(Infinity);
  const offer = (i: number, v: number) => {
    if (v < (r1[i] as number)) {
      r2[i] = r1[i] as number;
      r1[i] = v;
    } else if (v < (r2[i] as number)) r2[i] = v;
  };
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    const ni = norms[i] as number;
    for (let k = i + 1; k < n; k++) {
      const ok = k * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        s0 += (x[oi + j] as number) * (x[ok + j] as number);
        s1 += (x[oi + j + 1] as number) * (x[ok + j + 1] as number);
        s2 += (x[oi + j + 2] as number) * (x[ok + j + 2] as number);
        s3 += (x[oi + j + 3] as number) * (x[ok + j + 3] as number);
      }
      for (; j < d; j++) s0 += (x[oi + j] as number) * (x[ok + j] as number);
      const sq = Math.max(0, ni + (norms[k] as number) - 2 * (s0 + s1 + s2 + s3));
      offer(i, sq);
      offer(k, sq);
    }
  }
  for (let i = 0; i < n; i++) {
    r1[i] = Math.sqrt(r1[i] as number);
    r2[i] = Math.sqrt(r2[i] as number);
  }
  return { r1, r2 };
}

/**
 * The TwoNN estimate from the ratios mu = r2 / r1 (values <= 1 or non-finite are dropped first):
 * empirical F(mu_(i)) = i / N over the sorted ratios, the largest `discard` fraction left out, then
 * the least-squares slope through the origin of -log(1 - F) against log mu.
 */
export function twoNnFromRatios(ratios: ArrayLike<number>, discard = 0.1): number {
  const mu = Array.from(ratios).filter((m) => Number.isFinite(m) && m >= 1).sort((a, b) => a - b);
  const n = mu.length;
  const keep = Math.floor(n * (1 - discard));
  if (keep < 2) return NaN;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < keep; i++) {
    const x = Math.log(mu[i] as number);
    const y = -Math.log(1 - (i + 1) / n);
    sxx += x * x;
    sxy += x * y;
  }
  return sxx > 0 ? sxy / sxx : NaN;
}

export function twoNn(x: Rows, n: number, d: number, discard = 0.1): TwoNnResult {
  if (n < 3) throw new RangeError(`TwoNN needs at least 3 points, got ${n}`);
  const { r1, r2 } = twoNearest(x, n, d);
  const ratios: number[] = [];
  let duplicates = 0;
  for (let i = 0; i < n; i++) {
    if (!((r1[i] as number) > 0)) duplicates++;
    else ratios.push((r2[i] as number) / (r1[i] as number));
  }
  return { dimension: twoNnFromRatios(ratios, discard), points: ratios.length, duplicates };
}
