import { describe, expect, it } from 'vitest';
import { logitLens, neuronLogitLens, type TokenScore, valueVector } from './logit-lens.js';
import type { Tensor } from './tensor-scan.js';
import { gaussian, prng } from './test-support.js';

function randomMatrix(seed: number, rows: number, cols: number, round = false): Tensor {
  const z = gaussian(prng(seed));
  // rounding to a coarse grid makes equal scores (ties) common
  return { data: Float32Array.from({ length: rows * cols }, () => (round ? Math.round(z() * 2) / 2 : z())), shape: [rows, cols] };
}

/** The reference: every score, fully sorted. */
function bruteForce(v: ArrayLike<number>, U: Tensor, n: number): { promoted: TokenScore[]; suppressed: TokenScore[] } {
  const [V, D] = U.shape as [number, number];
  const all: TokenScore[] = [];
  for (let t = 0; t < V; t++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += U.data[t * D + d]! * v[d]!;
    if (!Number.isNaN(s)) all.push({ token: t, score: s });
  }
  return {
    promoted: [...all].sort((a, b) => b.score - a.score || a.token - b.token).slice(0, n),
    suppressed: [...all].sort((a, b) => a.score - b.score || a.token - b.token).slice(0, n),
  };
}

describe('logitLens', () => {
  it('equals a full sort of U v, ties by lower token id', () => {
    for (const [V, D, n, round] of [
      [5000, 32, 10, false],
      [3000, 4, 25, true],
      [7, 3, 10, false],
    ] as const) {
      const U = randomMatrix(V + D, V, D, round);
      const v = Array.from(randomMatrix(D, 1, D, round).data);
      expect(logitLens(v, U, { n })).toEqual(bruteForce(v, U, n));
    }
  });

  it('promotes the token whose unembedding points along the value vector, suppresses the opposite one', () => {
    const V = 1000;
    const D = 16;
    const U = randomMatrix(1, V, D);
    const v = Float64Array.from(randomMatrix(2, 1, D).data);
    for (let d = 0; d < D; d++) {
      U.data[123 * D + d] = 3 * v[d]!;
      U.data[456 * D + d] = -3 * v[d]!;
    }
    const lens = logitLens(v, U, { n: 3 });
    expect(lens.promoted[0]!.token).toBe(123);
    expect(lens.suppressed[0]!.token).toBe(456);
    expect(lens.promoted).toHaveLength(3);
  });

  it('applies the final norm\'s gain and LayerNorm centering to the vector', () => {
    const V = 2000;
    const D = 8;
    const U = randomMatrix(3, V, D);
    const v = Array.from(randomMatrix(4, 1, D).data);
    const gain = Array.from({ length: D }, (_, d) => 0.5 + d / 4);
    const scaled = v.map((x, d) => x * gain[d]!);
    expect(logitLens(v, U, { gain, n: 7 })).toEqual(bruteForce(scaled, U, 7));
    const mean = v.reduce((a, b) => a + b, 0) / D;
    const centered = v.map((x, d) => (x - mean) * gain[d]!);
    const got = logitLens(v, U, { gain, center: true, n: 7 });
    const want = bruteForce(centered, U, 7);
    expect(got.promoted.map((s) => s.token)).toEqual(want.promoted.map((s) => s.token));
    got.promoted.forEach((s, i) => expect(s.score).toBeCloseTo(want.promoted[i]!.score, 12));
    // centering removes the all-ones direction: a token whose row is constant scores 0
    U.data.fill(1, 5 * D, 6 * D);
    const c = logitLens(v, U, { center: true, n: V });
    expect(c.promoted.find((s) => s.token === 5)!.score).toBeCloseTo(0, 12);
  });

  it('leaves out tokens whose score is NaN, and returns all when n exceeds V', () => {
    const U = randomMatrix(5, 6, 3);
    U.data[2 * 3 + 1] = NaN;
    const v = [1, 2, 3];
    const lens = logitLens(v, U, { n: 100 });
    expect(lens.promoted).toHaveLength(5);
    expect(lens.promoted.map((s) => s.token)).not.toContain(2);
    expect(lens.suppressed.map((s) => s.token)).toEqual([...lens.promoted].reverse().map((s) => s.token));
    expect(logitLens(v, U, { n: 0 })).toEqual({ promoted: [], suppressed: [] });
  });

  it('checks its arguments', () => {
    const U = randomMatrix(6, 10, 4);
    expect(() => logitLens([1, 2, 3], U)).toThrow(/the vector has 3 dimensions, the unembedding 4/);
    expect(() => logitLens([1, 2, 3, 4], U, { gain: [1] })).toThrow(/the gain has 1 dimensions, expected 4/);
    expect(() => logitLens([1, 2, 3, 4], U, { n: -1 })).toThrow(/n must be a non-negative integer/);
    expect(() => logitLens([1], { data: new Float32Array(4), shape: [4] })).toThrow(/should be a matrix \[V, D\]/);
    expect(() => logitLens([1], { data: new Float32Array(4), shape: [2, 1] })).toThrow(/does not match its 4 values/);
  });
});

describe('valueVector and neuronLogitLens', () => {
  it('read column f of W_out [D, F] as the neuron\'s value vector', () => {
    const D = 5;
    const F = 7;
    const W = randomMatrix(7, D, F);
    const v = valueVector(W, 4);
    expect(Array.from(v)).toEqual(Array.from({ length: D }, (_, d) => W.data[d * F + 4]!));
    const U = randomMatrix(8, 300, D);
    expect(neuronLogitLens(W, 4, U, { n: 5 })).toEqual(bruteForce(v, U, 5));
    expect(() => valueVector(W, 7)).toThrow(/neuron 7 is not in 0..6/);
    expect(() => valueVector({ data: new Float32Array(3), shape: [3] }, 0)).toThrow(/should be a matrix/);
  });
});
