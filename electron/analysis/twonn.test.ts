import { describe, expect, it } from 'vitest';
import { twoNn, twoNnFromRatios, twoNearest } from './twonn.js';
import { linearSubspace, swissRoll } from './synthetic.js';
import { prng } from './test-support.js';

describe('TwoNN', () => {
  it('finds the two nearest neighbours by brute force', () => {
    // points on a line at 0, 1, 3, 7
    const { r1, r2 } = twoNearest(Float32Array.from([0, 1, 3, 7]), 4, 1);
    expect(Array.from(r1)).toEqual([1, 1, 2, 4]);
    expect(Array.from(r2)).toEqual([3, 2, 3, 6]);
  });

  it('recovers d from exact Pareto ratios (mu = u^(-1/d))', () => {
    for (const d of [1, 3, 10]) {
      const r = prng(d);
      const mu = Array.from({ length: 20_000 }, () => (1 - r()) ** (-1 / d));
      expect(Math.abs(twoNnFromRatios(mu) / d - 1)).toBeLessThan(0.03);
    }
  });

  it('estimates 5 on a 5-D linear subspace of 768-D with small noise (within 15%)', () => {
    const n = 2000;
    const est = twoNn(linearSubspace(n, 5, 768, 0.001, 21), n, 768);
    expect(est.points).toBe(n);
    expect(Math.abs(est.dimension - 5) / 5).toBeLessThanOrEqual(0.15);
  });

  it('estimates 2 on a swiss roll in 768-D with small noise (within 15%)', () => {
    const n = 2000;
    const est = twoNn(swissRoll(n, 768, 0.001, 22), n, 768);
    expect(Math.abs(est.dimension - 2) / 2).toBeLessThanOrEqual(0.15);
  });

  it('leaves duplicates out instead of dividing by zero', () => {
    const x = Float32Array.from([0, 0, 0, 0, 1, 0, 0, 2, 5, 5, 3, 1]);
    const est = twoNn(x, 6, 2);
    expect(est.duplicates).toBe(2);
    expect(est.points).toBe(4);
  });
});
