// The residual top-k by magnitude: it keeps the k largest |values| per (layer, dim) with their
// sign, document, position and token; it does not depend on batch order; shards merge into the
// whole; rows round-trip; masked tokens and bad shapes are handled.
import { describe, expect, it } from 'vitest';
import { addResidTopBatch, emptyResidTop, mergeResidTop, residTopFromRows, residTopRows, type ResidTop, type ResidTopBatch } from './resid-top.js';

/** A batch from full per-token values [B*T, L*D] (host-side top-k, like the graph's head). */
function batchOf(full: number[][], L: number, D: number, T: number, docs: number[], starts: number[], kb: number, mask?: number[]): ResidTopBatch {
  const abs = new Float32Array(L * kb * D);
  const values = new Float32Array(L * kb * D);
  const indices = new BigInt64Array(L * kb * D);
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const order = full.map((v, x) => ({ x, a: mask && mask[x] === 0 ? -Infinity : Math.abs(v[l * D + d]!) })).sort((p, q) => q.a - p.a || p.x - q.x);
      for (let j = 0; j < kb; j++) {
        const at = (l * kb + j) * D + d;
        abs[at] = order[j]!.a;
        values[at] = full[order[j]!.x]![l * D + d]!;
        indices[at] = BigInt(order[j]!.x);
      }
    }
  }
  const ids = full.map((_, x) => 1000 + docs[Math.floor(x / T)]! * 100 + starts[Math.floor(x / T)]! + (x % T));
  return { abs, values, indices, seqLen: T, docs, starts, ids };
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('residual top-k', () => {
  const L = 2;
  const D = 3;
  const T = 4;
  const k = 3;
  const r = rng(5);
  // 6 documents of 8 tokens, two windows of 4 each, as batches of 2 rows
  const tokens = Array.from({ length: 12 }, () => Array.from({ length: T }, () => Array.from({ length: L * D }, () => (r() - 0.5) * 10)));
  const batches = Array.from({ length: 6 }, (_, b) => {
    const rows = [2 * b, 2 * b + 1];
    return batchOf(rows.flatMap((w) => tokens[w]!), L, D, T, rows.map((w) => Math.floor(w / 2) + 1), rows.map((w) => (w % 2) * T), k);
  });
  const all = (order: number[]): ResidTop => order.reduce((acc, b) => addResidTopBatch(acc, batches[b]!), emptyResidTop(L, D, k));

  it('keeps the k largest |values| of each dim with their sign, document, position and token', () => {
    const acc = all([0, 1, 2, 3, 4, 5]);
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) {
        const want = tokens
          .flatMap((rows, w) => rows.map((v, t) => ({ value: Math.fround(v[l * D + d]!), doc: Math.floor(w / 2) + 1, position: (w % 2) * T + t })))
          .sort((p, q) => Math.abs(q.value) - Math.abs(p.value))
          .slice(0, k);
        const i = l * D + d;
        expect(acc.size[i]).toBe(k);
        want.forEach((w, j) => {
          expect(acc.values[i * k + j]).toBe(w.value);
          expect(acc.abs[i * k + j]).toBe(Math.abs(w.value));
          expect(acc.docs[i * k + j]).toBe(w.doc);
          expect(acc.positions[i * k + j]).toBe(w.position);
          expect(acc.tokens[i * k + j]).toBe(1000 + w.doc * 100 + w.position);
        });
      }
    }
  });

  it('does not depend on the order of batches, and shards merge into the whole', () => {
    const whole = all([0, 1, 2, 3, 4, 5]);
    expect(all([5, 3, 1, 0, 2, 4])).toEqual(whole);
    expect(mergeResidTop(all([0, 2, 4]), all([1, 3, 5]))).toEqual(whole);
    expect(mergeResidTop(all([1, 3, 5]), all([0, 2, 4]))).toEqual(whole);
  });

  it('round-trips through rows, keeps one entry per token, skips masked tokens', () => {
    const whole = all([0, 1, 2, 3, 4, 5]);
    expect(residTopFromRows(L, D, k, residTopRows(whole))).toEqual(whole);
    // the same batch twice: the same tokens, so nothing changes
    expect(addResidTopBatch(all([0, 1, 2, 3, 4, 5]), batches[0]!)).toEqual(whole);
    // a batch with every token but one masked out keeps only that token
    const mask = Array.from({ length: 2 * T }, (_, x) => (x === 5 ? 1 : 0));
    const one = addResidTopBatch(emptyResidTop(L, D, k), batchOf([...tokens[0]!, ...tokens[1]!], L, D, T, [1, 1], [0, T], k, mask));
    expect(Array.from(one.size)).toEqual(new Array(L * D).fill(1));
    expect(Array.from(one.positions.filter((_, j) => j % k === 0))).toEqual(new Array(L * D).fill(5));
  });

  it('refuses mismatched shapes and out-of-range indices', () => {
    const b = batches[0]!;
    expect(() => addResidTopBatch(emptyResidTop(L, D + 1, k), b)).toThrow(/multiple/);
    expect(() => addResidTopBatch(emptyResidTop(L, D, k), { ...b, ids: [1, 2] })).toThrow(/token ids/);
    expect(() => addResidTopBatch(emptyResidTop(L, D, k), { ...b, indices: new BigInt64Array(b.indices.length).fill(99n) })).toThrow(/flat index 99/);
    expect(() => mergeResidTop(emptyResidTop(L, D, k), emptyResidTop(L, D, k + 1))).toThrow(/cannot merge/);
  });
});
