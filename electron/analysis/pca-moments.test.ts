// leadingEigen's subspace iteration against the full decomposition (tred2/tql2) of the same
// covariance: a decaying spectrum (the iteration converges) and a flat one (it falls back).
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './eigen.js';
import { leadingEigen } from './pca-moments.js';
import { randomOrthonormal } from './synthetic.js';

/** Q diag(values) Q^T for a random orthonormal Q [d * d]. */
function covarianceWith(values: readonly number[], seed: number): Float64Array {
  const d = values.length;
  const q = randomOrthonormal(d, d, seed);
  const c = new Float64Array(d * d);
  for (let r = 0; r < d; r++) {
    const lambda = values[r] as number;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] = (c[i * d + j] as number) + lambda * (q[r * d + i] as number) * (q[r * d + j] as number);
  }
  return c;
}

function expectSamePairs(c: Float64Array, d: number, k: number): void {
  const got = leadingEigen(c, d, k);
  const full = symmetricEigen(c, d);
  for (let p = 0; p < k; p++) {
    expect(Math.abs((got.variances[p] as number) / (full.values[p] as number) - 1)).toBeLessThan(1e-9);
    let dot = 0;
    for (let j = 0; j < d; j++) dot += (got.components[p * d + j] as number) * (full.vectors![p * d + j] as number);
    expect(Math.abs(dot)).toBeGreaterThan(1 - 1e-9);
  }
}

describe('leadingEigen', () => {
  const d = 240;
  it('finds the leading pairs of a decaying spectrum by subspace iteration', () => {
    const values = Array.from({ length: d }, (_, i) => 50 * Math.exp(-i / 6) + 0.01);
    expectSamePairs(covarianceWith(values, 3), d, 3);
  });

  it('gives the full decomposition when the spectrum is too flat to converge cheaply', () => {
    const values = Array.from({ length: d }, (_, i) => 1 + 1e-4 * (d - i));
    expectSamePairs(covarianceWith(values, 4), d, 3);
  });
});
