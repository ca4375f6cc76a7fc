import { describe, expect, it } from 'vitest';
import { fastPow, findAB, fuzzyGraph, smoothDistances } from './umap-layout.js';
import { trustworthiness } from './trustworthiness.js';
import { prng } from './test-support.js';

describe('UMAP layout pieces', () => {
  it("fits umap-learn's a and b for min_dist 0.1, spread 1", () => {
    const { a, b } = findAB(1, 0.1);
    expect(a).toBeCloseTo(1.577, 2);
    expect(b).toBeCloseTo(0.895, 2);
  });

  it('calibrates sigma so the memberships sum to log2(k + 1)', () => {
    const distances = Float64Array.from([1, 1.5, 2.5, 4, 0.5, 0.7, 0.9, 3]);
    const g = { n: 2, k: 4, indices: Int32Array.from([1, 1, 1, 1, 0, 0, 0, 0]), distances };
    const { sigmas, rhos } = smoothDistances(g);
    expect(Array.from(rhos)).toEqual([1, 0.5]);
    for (let i = 0; i < 2; i++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += Math.exp(-Math.max(0, distances[i * 4 + j]! - rhos[i]!) / sigmas[i]!);
      expect(s).toBeCloseTo(Math.log2(5), 4);
    }
  });

  it('makes the fuzzy union symmetric: w(i,j) = w(j,i) = p + q - pq', () => {
    // 0 -> 1 listed by both, 2 -> 0 listed by 2 only
    const g = { n: 3, k: 1, indices: Int32Array.from([1, 0, 0]), distances: Float64Array.from([1, 1, 2]) };
    const f = fuzzyGraph(g);
    const w = new Map<string, number>();
    for (let e = 0; e < f.rows.length; e++) w.set(`${f.rows[e]},${f.cols[e]}`, f.weights[e]!);
    expect(w.get('0,1')).toBeCloseTo(w.get('1,0')!, 12);
    expect(w.get('2,0')).toBeCloseTo(w.get('0,2')!, 12);
    expect(w.get('0,1')).toBeCloseTo(1, 12); // both sides at rho: membership 1
  });
});

describe('trustworthiness', () => {
  it('is 1 for an embedding that keeps every neighbour order, lower for a shuffled one', () => {
    const n = 60;
    const x = Float64Array.from({ length: n }, (_, i) => i * i * 0.1);
    expect(trustworthiness(x, x.map((v) => 3 * v + 1), n, 1, 1, 5)).toBe(1);
    const r = prng(1);
    expect(trustworthiness(x, x.map(() => r()), n, 1, 1, 5)).toBeLessThan(0.7);
  });

  it("matches the formula computed with full rankings (scikit-learn's definition)", () => {
    const n = 40;
    const r = prng(2);
    const x = Float64Array.from({ length: n * 3 }, r);
    const y = Float64Array.from({ length: n * 2 }, (_, i) => x[Math.floor(i / 2) * 3 + (i % 2)]! + 0.3 * r());
    const k = 4;
    const dist = (v: Float64Array, dd: number, i: number, j: number) => Math.hypot(...Array.from({ length: dd }, (_, c) => v[i * dd + c]! - v[j * dd + c]!));
    let penalty = 0;
    for (let i = 0; i < n; i++) {
      const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
      const rankX = [...others].sort((a, b) => dist(x, 3, i, a) - dist(x, 3, i, b));
      const nearY = [...others].sort((a, b) => dist(y, 2, i, a) - dist(y, 2, i, b)).slice(0, k);
      for (const j of nearY) penalty += Math.max(0, rankX.indexOf(j) + 1 - k);
    }
    const want = 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
    expect(trustworthiness(x, y, n, 3, 2, k)).toBeCloseTo(want, 12);
  });
});

describe('fastPow', () => {
  it('equals Math.pow within 1e-6 relative over the range the layout uses', () => {
    const r = prng(3);
    for (let i = 0; i < 100_000; i++) {
      const x = Math.exp((r() - 0.5) * 40); // 2e-9 .. 5e8
      const y = r() * 2 - 0.5;
      expect(Math.abs(fastPow(x, y) / Math.pow(x, y) - 1)).toBeLessThan(1e-6);
    }
    expect(fastPow(4, 0.5)).toBeCloseTo(2, 12);
    expect(fastPow(1, 0.895)).toBe(1);
    expect(fastPow(0, 0.895)).toBe(0);
  });
});
