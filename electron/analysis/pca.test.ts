import { describe, expect, it } from 'vitest';
import { componentsFor, covarianceSpectrum, pca, project } from './pca.js';
import { randomOrthonormal, linearSubspace, swissRoll } from './synthetic.js';
import { gaussian, prng } from './test-support.js';

/** n Gaussian points whose covariance is known: variances `sd^2` along the orthonormal rows of `axes`. */
function knownCovariance(n: number, sd: readonly number[], axes: Float64Array, d: number, seed: number): Float32Array {
  const g = gaussian(prng(seed));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < sd.length; c++) {
      const z = g() * sd[c]!;
      for (let j = 0; j < d; j++) x[i * d + j] = x[i * d + j]! + z * axes[c * d + j]!;
    }
    for (let j = 0; j < d; j++) x[i * d + j] = x[i * d + j]! + 3; // an offset PCA must remove
  }
  return x;
}

const alignment = (a: Float64Array, ao: number, b: Float64Array, bo: number, d: number) => {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[ao + j]! * b[bo + j]!;
  return Math.abs(s);
};

describe('PCA', () => {
  const d = 20;
  const sd = [5, 3, 2, 1, 0.5, 0.25, 0.1];
  const axes = randomOrthonormal(sd.length, d, 3);
  const n = 20_000;
  const x = knownCovariance(n, sd, axes, d, 4);

  it('recovers a known covariance: variances, directions and explained ratios (exact route)', () => {
    const p = pca(x, n, d, 3, { method: 'exact' });
    expect(p.method).toBe('exact');
    const total = sd.reduce((s, v) => s + v * v, 0);
    expect(p.totalVariance).toBeCloseTo(total, -Math.log10(total * 0.03));
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(p.variances[c]! / sd[c]! ** 2 - 1)).toBeLessThan(0.04);
      expect(alignment(p.components, c * d, axes, c * d, d)).toBeGreaterThan(0.999);
      expect(p.explainedRatio[c]!).toBeCloseTo(p.variances[c]! / p.totalVariance, 12);
    }
    for (let j = 0; j < d; j++) expect(p.mean[j]!).toBeCloseTo(3, 1);
  });

  it('randomized and exact routes agree on variances, components and coordinates', () => {
    const exact = pca(x, n, d, 3, { method: 'exact' });
    const fast = pca(x, n, d, 3, { method: 'randomized', seed: 9 });
    expect(fast.method).toBe('randomized');
    for (let c = 0; c < 3; c++) {
      expect(fast.variances[c]!).toBeCloseTo(exact.variances[c]!, 6);
      expect(alignment(fast.components, c * d, exact.components, c * d, d)).toBeGreaterThan(1 - 1e-9);
    }
    // signs are fixed the same way, so coordinates agree too
    const a = project(exact, x.subarray(0, 100 * d), 100);
    const b = project(fast, x.subarray(0, 100 * d), 100);
    for (let i = 0; i < a.length; i++) expect(b[i]!).toBeCloseTo(a[i]!, 3);
  });

  it('randomized agrees with exact on a 768-wide subspace with a decaying spectrum', () => {
    const D = 768;
    const m = 1500;
    const y = linearSubspace(m, 8, D, 0.01, 5);
    const exact = pca(y, m, D, 3, { method: 'exact' });
    const fast = pca(y, m, D, 3, { method: 'randomized', seed: 1 });
    for (let c = 0; c < 3; c++) expect(Math.abs(fast.variances[c]! / exact.variances[c]! - 1)).toBeLessThan(1e-3);
    expect(alignment(fast.components, 0, exact.components, 0, D)).toBeGreaterThan(0.999);
  });
});

describe('PCA-90 (components for 90% of the variance)', () => {
  it('counts a spectrum exactly', () => {
    expect(componentsFor([5, 3, 1, 1])).toBe(3); // 8/10 < 0.9 <= 9/10
    expect(componentsFor([1, 1, 1, 1, 1])).toBe(5);
    expect(componentsFor([10, 0, 0])).toBe(1);
    expect(componentsFor([0, 0])).toBe(0);
  });

  it('finds 5 on a 5-D linear subspace of 768-D with small noise (within 15%)', () => {
    const n = 2000;
    const est = componentsFor(covarianceSpectrum(linearSubspace(n, 5, 768, 0.01, 11), n, 768));
    expect(Math.abs(est - 5) / 5).toBeLessThanOrEqual(0.15);
  });

  it('on the swiss roll counts its linear span (3), not the sheet (2): the reason TwoNN sits beside it', () => {
    const n = 2000;
    expect(componentsFor(covarianceSpectrum(swissRoll(n, 768, 0.01, 12), n, 768))).toBe(3);
  });
});
