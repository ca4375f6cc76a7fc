// Trustworthiness of an embedding (Venna & Kaski 2001; scikit-learn's sklearn.manifold.
// trustworthiness): how far the embedding's k nearest neighbours of each point sit in the
// original space's ranking,
//   T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in N_k^emb(i)} max(0, r(i, j) - k)
// with r(i, j) the rank of j among i's neighbours in the original space (1 = nearest). 1 means
// every embedded neighbour is an original one. O(n^2 (d + e)): for evaluation on subsamples.
import type { Rows } from './pca.js';

function squaredDistancesFrom(x: Rows, n: number, d: number, i: number, out: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const v = (x[i * d + c] as number) - (x[j * d + c] as number);
      s += v * v;
    }
    out[j] = s;
  }
}

/** x: [n * d] original rows, y: [n * e] their embedding. */
export function trustworthiness(x: Rows, y: Rows, n: number, d: number, e: number, k = 10): number {
  if (x.length !== n * d || y.length !== n * e) throw new RangeError(`trustworthiness: expected ${n} x ${d} and ${n} x ${e} values, got ${x.length} and ${y.length}`);
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) throw new RangeError(`trustworthiness: k must be an integer below n / 2 = ${n / 2}, got ${k}`);
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  const order = Array.from({ length: n }, (_, j) => j);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    squaredDistancesFrom(y, n, e, i, dy);
    squaredDistancesFrom(x, n, d, i, dx);
    // the embedding's k nearest others (ties by index, as a stable sort)
    const near = order.filter((j) => j !== i).sort((a, b) => (dy[a] as number) - (dy[b] as number) || a - b).slice(0, k);
    for (const j of near) {
      // rank of j among i's others in the original space: 1 + how many sit strictly nearer (or as near with a lower index)
      const dj = dx[j] as number;
      let rank = 1;
      for (let m = 0; m < n; m++) if (m !== i && m !== j && ((dx[m] as number) < dj || ((dx[m] as number) === dj && m < j))) rank++;
      penalty += Math.max(0, rank - k);
    }
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}
