import { describe, expect, it } from 'vitest';
import { addTopKBatch, emptyTopK, mergeTopK, neuronTopK, type TopK, type TopKBatch, type TopKEntry, topKBatchFromOutputs } from './top-k.js';
import { prng, type Rand } from './test-support.js';

/**
 * What the graph's top-k head returns for activations [rows*T, F] of each layer: per neuron the kk
 * largest values with their flat index, [L, kk, F]. Ties are broken by lower index here; the
 * module must not depend on that.
 */
function graphTopK(acts: readonly Float32Array[], F: number, kk: number): { values: Float32Array; indices: BigInt64Array } {
  const L = acts.length;
  const values = new Float32Array(L * kk * F);
  const indices = new BigInt64Array(L * kk * F);
  acts.forEach((a, l) => {
    const M = a.length / F;
    for (let f = 0; f < F; f++) {
      const order = Array.from({ length: M }, (_, t) => t).sort((x, y) => a[y * F + f]! - a[x * F + f]! || x - y);
      for (let j = 0; j < kk; j++) {
        values[(l * kk + j) * F + f] = a[order[j]! * F + f]!;
        indices[(l * kk + j) * F + f] = BigInt(order[j]!);
      }
    }
  });
  return { values, indices };
}

/** The reference: all candidates, best per (doc, position), sorted by the total order, first k. */
function bruteForce(candidates: readonly TopKEntry[], k: number): TopKEntry[] {
  const best = new Map<string, TopKEntry>();
  for (const c of candidates) {
    const key = `${c.doc}:${c.position}`;
    const cur = best.get(key);
    if (!cur || c.value > cur.value) best.set(key, c);
  }
  return [...best.values()].sort((a, b) => b.value - a.value || a.doc - b.doc || a.position - b.position).slice(0, k);
}

interface Corpus {
  batches: TopKBatch[];
  /** per neuron (l*F + f), every (value, doc, position) any batch offered */
  offered: TopKEntry[][];
}

/**
 * Random batches over random documents; values are drawn from few levels so that ties are common,
 * and windows overlap (starts step by less than T) so the same document token recurs.
 */
function corpus(rand: Rand, L: number, F: number, opts: { batches: number; rows: number; T: number; kk: number; levels: number }): Corpus {
  const offered: TopKEntry[][] = Array.from({ length: L * F }, () => []);
  const batches: TopKBatch[] = [];
  for (let n = 0; n < opts.batches; n++) {
    const docs = Array.from({ length: opts.rows }, () => Math.floor(rand() * 5));
    const starts = Array.from({ length: opts.rows }, () => Math.floor(rand() * 3) * Math.ceil(opts.T / 2));
    const acts = Array.from({ length: L }, () => Float32Array.from({ length: opts.rows * opts.T * F }, () => Math.floor(rand() * opts.levels) / 4));
    const { values, indices } = graphTopK(acts, F, opts.kk);
    const batch: TopKBatch = { values, indices, seqLen: opts.T, docs, starts };
    batches.push(batch);
    for (let l = 0; l < L; l++) {
      for (let j = 0; j < opts.kk; j++) {
        for (let f = 0; f < F; f++) {
          const x = Number(indices[(l * opts.kk + j) * F + f]);
          const b = Math.floor(x / opts.T);
          offered[l * F + f]!.push({ value: values[(l * opts.kk + j) * F + f]!, doc: docs[b]!, position: starts[b]! + (x % opts.T) });
        }
      }
    }
  }
  return { batches, offered };
}

function allLists(t: TopK): TopKEntry[][] {
  const out: TopKEntry[][] = [];
  for (let l = 0; l < t.layers; l++) for (let f = 0; f < t.neurons; f++) out.push(neuronTopK(t, l, f));
  return out;
}

describe('addTopKBatch', () => {
  it('maps flat indices to (document, position) through the rows', () => {
    // L=1, F=2, k'=2, two rows of T=3: row 0 = doc 7 from position 10, row 1 = doc 3 from position 0
    const acc = emptyTopK(1, 2, 3);
    addTopKBatch(acc, {
      // [L, k', F]: j=0: (5, 4), j=1: (2, 1)
      values: Float32Array.of(5, 4, 2, 1),
      indices: BigInt64Array.of(4n, 0n, 2n, 5n),
      seqLen: 3,
      docs: [7, 3],
      starts: [10, 0],
    });
    expect(neuronTopK(acc, 0, 0)).toEqual([
      { value: 5, doc: 3, position: 1 },
      { value: 2, doc: 7, position: 12 },
    ]);
    expect(neuronTopK(acc, 0, 1)).toEqual([
      { value: 4, doc: 7, position: 10 },
      { value: 1, doc: 3, position: 2 },
    ]);
  });

  it('breaks ties by earlier document, then earlier position', () => {
    const acc = emptyTopK(1, 1, 3);
    const add = (value: number, doc: number, pos: number): void => {
      addTopKBatch(acc, { values: [value], indices: [0], seqLen: 1, docs: [doc], starts: [pos] });
    };
    add(1, 5, 3);
    add(1, 2, 9);
    add(1, 2, 4);
    add(1, 9, 0);
    add(0.5, 0, 0);
    expect(neuronTopK(acc, 0, 0)).toEqual([
      { value: 1, doc: 2, position: 4 },
      { value: 1, doc: 2, position: 9 },
      { value: 1, doc: 5, position: 3 },
    ]);
    add(2, 9, 9);
    expect(neuronTopK(acc, 0, 0).map((e) => e.value)).toEqual([2, 1, 1]);
  });

  it('keeps one entry per document token, the larger', () => {
    const acc = emptyTopK(1, 1, 3);
    const add = (value: number, doc: number, pos: number): void => {
      addTopKBatch(acc, { values: [value], indices: [0], seqLen: 1, docs: [doc], starts: [pos] });
    };
    add(1, 0, 0);
    add(3, 0, 0); // the same token seen again with more context: replaces
    add(2, 0, 0); // and again with less: ignored
    add(0.5, 1, 1);
    expect(neuronTopK(acc, 0, 0)).toEqual([
      { value: 3, doc: 0, position: 0 },
      { value: 0.5, doc: 1, position: 1 },
    ]);
  });

  it('skips masked tokens (-Infinity), even while a list has room', () => {
    const acc = emptyTopK(1, 1, 3);
    // k' = 3 over 2 rows of T = 2 where only flat index 1 was counted: the graph pads with -inf
    addTopKBatch(acc, { values: [0.5, -Infinity, -Infinity], indices: [1, 0, 2], seqLen: 2, docs: [0, 1], starts: [0, 0] });
    expect(neuronTopK(acc, 0, 0)).toEqual([{ value: 0.5, doc: 0, position: 1 }]);
    // a real, very negative activation is an example like any other
    addTopKBatch(acc, { values: [-1e30], indices: [0], seqLen: 1, docs: [3], starts: [0] });
    expect(neuronTopK(acc, 0, 0)).toHaveLength(2);
  });

  it('ignores NaN values, and stores float32 values', () => {
    const acc = emptyTopK(1, 1, 2);
    addTopKBatch(acc, { values: [NaN, 0.1], indices: [0, 1], seqLen: 2, docs: [0], starts: [0] });
    expect(neuronTopK(acc, 0, 0)).toEqual([{ value: Math.fround(0.1), doc: 0, position: 1 }]);
  });

  it('equals the brute-force top-k of everything offered, for k larger and smaller than k\'', () => {
    for (const [k, kk] of [
      [4, 6],
      [6, 3],
      [5, 5],
    ] as const) {
      const r = prng(10 + k);
      const L = 2;
      const F = 5;
      const c = corpus(r, L, F, { batches: 6, rows: 3, T: 4, kk, levels: 6 });
      const acc = emptyTopK(L, F, k);
      for (const b of c.batches) addTopKBatch(acc, b);
      expect(allLists(acc)).toEqual(c.offered.map((o) => bruteForce(o, k)));
    }
  });

  it('over all tokens (k <= k\', no overlap) is the corpus-wide top-k', () => {
    const r = prng(5);
    const F = 3;
    const T = 5;
    const k = 4;
    const all: TopKEntry[][] = Array.from({ length: F }, () => []);
    const acc = emptyTopK(1, F, k);
    for (let n = 0; n < 10; n++) {
      const docs = [2 * n, 2 * n + 1];
      const starts = [0, 0];
      const acts = Float32Array.from({ length: 2 * T * F }, () => r());
      for (let x = 0; x < 2 * T; x++) {
        for (let f = 0; f < F; f++) all[f]!.push({ value: acts[x * F + f]!, doc: docs[Math.floor(x / T)]!, position: x % T });
      }
      const { values, indices } = graphTopK([acts], F, k);
      addTopKBatch(acc, { values, indices, seqLen: T, docs, starts });
    }
    expect(allLists(acc)).toEqual(all.map((a) => bruteForce(a, k)));
  });

  it('refuses malformed batches and leaves the lists untouched', () => {
    const acc = emptyTopK(1, 2, 2);
    addTopKBatch(acc, { values: [1, 2], indices: [0, 0], seqLen: 2, docs: [0], starts: [0] });
    const before = structuredClone(acc);
    const ok: TopKBatch = { values: [3, 4], indices: [1, 1], seqLen: 2, docs: [1], starts: [0] };
    expect(() => addTopKBatch(acc, { ...ok, values: [1, 2, 3] })).toThrow(/not a multiple of 1x2/);
    expect(() => addTopKBatch(acc, { ...ok, indices: [1] })).toThrow(/2 values but 1 indices/);
    expect(() => addTopKBatch(acc, { ...ok, indices: [1, 2] })).toThrow(/flat index 2 is outside the batch's 1x2 tokens/);
    expect(() => addTopKBatch(acc, { ...ok, indices: BigInt64Array.of(-1n, 0n) })).toThrow(/flat index -1/);
    expect(() => addTopKBatch(acc, { ...ok, docs: [-1] })).toThrow(/document id -1 of row 0/);
    expect(() => addTopKBatch(acc, { ...ok, docs: [2 ** 32] })).toThrow(/not a 32-bit unsigned integer/);
    expect(() => addTopKBatch(acc, { ...ok, starts: [0.5] })).toThrow(/start 0.5 of row 0/);
    expect(() => addTopKBatch(acc, { ...ok, starts: [] })).toThrow(/1 row documents but 0 row starts/);
    expect(() => addTopKBatch(acc, { ...ok, seqLen: 0 })).toThrow(/seqLen must be a positive integer/);
    expect(acc).toEqual(before);
  });
});

describe('mergeTopK', () => {
  const L = 2;
  const F = 4;
  const k = 5;
  const c = corpus(prng(21), L, F, { batches: 8, rows: 2, T: 6, kk: 4, levels: 5 });
  const whole = emptyTopK(L, F, k);
  for (const b of c.batches) addTopKBatch(whole, b);

  function shard(idx: readonly number[]): TopK {
    const t = emptyTopK(L, F, k);
    for (const i of idx) addTopKBatch(t, c.batches[i]!);
    return t;
  }

  it('merges shards in any order and grouping into the top-k of the whole', () => {
    const shards = [shard([0, 1]), shard([2]), shard([3, 4, 5]), shard([6, 7])];
    const expected = allLists(whole);
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [1, 3, 0, 2],
    ];
    for (const o of orders) {
      const s = o.map((i) => shards[i]!);
      expect(allLists(s.reduce((a, b) => mergeTopK(a, b)))).toEqual(expected);
      expect(allLists(mergeTopK(mergeTopK(s[0]!, s[1]!), mergeTopK(s[2]!, s[3]!)))).toEqual(expected);
    }
    // batches dealt round-robin to the shards give the same
    expect(allLists(mergeTopK(shard([0, 2, 4, 6]), shard([1, 3, 5, 7])))).toEqual(expected);
  });

  it('has the empty top-k as identity and leaves its inputs alone', () => {
    const copy = structuredClone(whole);
    expect(allLists(mergeTopK(emptyTopK(L, F, k), whole))).toEqual(allLists(whole));
    expect(allLists(mergeTopK(whole, emptyTopK(L, F, k)))).toEqual(allLists(whole));
    expect(whole).toEqual(copy);
  });

  it('refuses other shapes or k', () => {
    expect(() => mergeTopK(emptyTopK(1, 2, 3), emptyTopK(1, 2, 4))).toThrow(/cannot merge 1x2 k=3 with 1x2 k=4/);
    expect(() => mergeTopK(emptyTopK(1, 2, 3), emptyTopK(2, 1, 3))).toThrow(/cannot merge/);
  });
});

describe('emptyTopK, neuronTopK, topKBatchFromOutputs', () => {
  it('check their arguments', () => {
    expect(() => emptyTopK(1, 1, 0)).toThrow(/k must be a positive integer/);
    expect(() => emptyTopK(0, 1, 1)).toThrow(/layers must be a positive integer/);
    expect(() => emptyTopK(1, -1, 1)).toThrow(/neurons must be a positive integer/);
    expect(() => neuronTopK(emptyTopK(2, 2, 1), 2, 0)).toThrow(/layer 2 is not in 0..1/);
    expect(() => neuronTopK(emptyTopK(2, 2, 1), 0, 2)).toThrow(/neuron 2 is not in 0..1/);
  });

  it('reads the graph outputs by name', () => {
    const values = Float32Array.of(1, 2);
    const indices = BigInt64Array.of(0n, 1n);
    const rows = { seqLen: 2, docs: [4], starts: [8] };
    const b = topKBatchFromOutputs({ topk_values: { data: values, dims: [1, 1, 2] }, topk_indices: { data: indices, dims: [1, 1, 2] } }, rows);
    const acc = addTopKBatch(emptyTopK(1, 2, 1), b);
    expect(neuronTopK(acc, 0, 1)).toEqual([{ value: 2, doc: 4, position: 9 }]);
    expect(() => topKBatchFromOutputs({ topk_values: { data: values, dims: [1, 1, 2] } }, rows)).toThrow(/lack topk_values \/ topk_indices/);
    expect(() => topKBatchFromOutputs({ topk_values: { data: indices, dims: [1, 1, 2] }, topk_indices: { data: indices, dims: [1, 1, 2] } }, rows)).toThrow(
      /topk_values should be float32/,
    );
  });
});
