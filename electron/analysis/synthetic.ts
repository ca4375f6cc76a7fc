// Point clouds of known intrinsic dimension embedded in a high-dimensional space, for the tests
// and the bench of PCA and TwoNN: a k-dimensional Gaussian in a random linear subspace, and the
// swiss roll (a 2-D sheet rolled up in 3-D), each placed by a random orthonormal map into D
// dimensions with isotropic Gaussian noise.
import { gaussian, prng } from '../../common/prng.js';
import { orthonormalColumns } from './pca.js';

/** k random orthonormal vectors of length dims, as rows [k * dims] (Gram-Schmidt on Gaussians). */
export function randomOrthonormal(k: number, dims: number, seed: number): Float64Array {
  const g = gaussian(prng(seed));
  const cols = orthonormalColumns(Float64Array.from({ length: dims * k }, g), dims, k);
  const rows = new Float64Array(k * dims);
  for (let j = 0; j < dims; j++) for (let r = 0; r < k; r++) rows[r * dims + j] = cols[j * k + r] as number;
  return rows;
}

/** Rows of `low` ([n * k]) mapped through the orthonormal rows `basis` ([k * dims]), plus noise. */
export function embed(low: Float64Array, n: number, k: number, dims: number, noise: number, seed: number): Float32Array {
  const basis = randomOrthonormal(k, dims, seed);
  const g = gaussian(prng(seed + 1));
  const out = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dims; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += (low[i * k + c] as number) * (basis[c * dims + j] as number);
      out[i * dims + j] = s + noise * g();
    }
  }
  return out;
}

/** n points of a standard Gaussian in a random k-dimensional linear subspace of `dims`. */
export function linearSubspace(n: number, k: number, dims: number, noise: number, seed: number): Float32Array {
  const g = gaussian(prng(seed));
  return embed(Float64Array.from({ length: n * k }, g), n, k, dims, noise, seed + 7);
}

/** The swiss roll as scikit-learn makes it (t = 1.5 pi (1 + 2u), height 21v), embedded in `dims`. */
export function swissRoll(n: number, dims: number, noise: number, seed: number): Float32Array {
  const r = prng(seed);
  const low = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = 1.5 * Math.PI * (1 + 2 * r());
    low[i * 3] = t * Math.cos(t);
    low[i * 3 + 1] = 21 * r();
    low[i * 3 + 2] = t * Math.sin(t);
  }
  return embed(low, n, 3, dims, noise, seed + 7);
}
