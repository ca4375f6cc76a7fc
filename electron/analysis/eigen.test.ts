import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './eigen.js';
import { gaussian, prng } from './test-support.js';

function randomSymmetric(n: number, seed: number): Float64Array {
  const g = gaussian(prng(seed));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = g();
  return a;
}

describe('symmetricEigen', () => {
  it('satisfies A v = lambda v with orthonormal vectors, eigenvalues largest first', () => {
    const n = 40;
    const a = randomSymmetric(n, 1);
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!);
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors![r * n + j]!;
        expect(av).toBeCloseTo(values[r]! * vectors![r * n + i]!, 9);
      }
      for (let s = 0; s <= r; s++) {
        let d = 0;
        for (let j = 0; j < n; j++) d += vectors![r * n + j]! * vectors![s * n + j]!;
        expect(d).toBeCloseTo(r === s ? 1 : 0, 10);
      }
    }
  });

  it('gives the same eigenvalues without vectors, and their sum is the trace', () => {
    const n = 57;
    const a = randomSymmetric(n, 2);
    const full = symmetricEigen(a, n).values;
    const only = symmetricEigen(a, n, { vectors: false });
    expect(only.vectors).toBeNull();
    for (let i = 0; i < n; i++) expect(only.values[i]!).toBeCloseTo(full[i]!, 9);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    expect(full.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 9);
  });

  it('handles a diagonal matrix and a 1 x 1 matrix', () => {
    expect(Array.from(symmetricEigen([3, 0, 0, 0, -1, 0, 0, 0, 7], 3).values)).toEqual([7, 3, -1]);
    expect(Array.from(symmetricEigen([5], 1).values)).toEqual([5]);
  });
});
