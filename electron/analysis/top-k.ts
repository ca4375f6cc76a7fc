// The max-activating examples of every neuron: a running top-k of (value, document, position).
//
// The graph returns, per batch, each neuron's k' largest activations with their flat token index
// b*T + t (native-models/graph/heads.ts, layerTopK). The capture knows which document and offset
// each sequence row came from; this module turns flat indices into (document, position in document)
// and keeps the best k per neuron over the corpus. Entries are ordered by a total order (larger
// value first, then smaller document id, then smaller position), so the result does not depend on
// the order batches or shards arrive in, and merging shards gives the top-k of the whole.
//
// With a stride shorter than the sequence, one document token appears in several rows (with
// different left context, so possibly different values). The capture can mask the overlap out
// (token_mask; masked tokens arrive as -Infinity and are skipped); where it does not, the list
// keeps one entry per (document, position), the best, so the examples shown are distinct tokens.

import type { LayerIndex, NeuronIndex } from './ids.js';
import type { CountArray, OutputTensor, ValueArray } from './neuron-stats.js';
import type { TopK } from '../../common/top-k-lists.js';
export type { TopK };

export interface TopKEntry {
  value: number;
  doc: number;
  position: number;
}

/**
 * One batch of the graph's top-k head plus where its rows came from. Masked tokens (token_mask 0)
 * come as -Infinity and are skipped.
 */
export interface TopKBatch {
  /** topk_values [L, k', F] */
  values: ValueArray;
  /** topk_indices [L, k', F]: flat token index b*T + t */
  indices: CountArray;
  /** T, the batch's sequence length */
  seqLen: number;
  /** [B] the document id of each row */
  docs: ArrayLike<number>;
  /** [B] the position within its document of each row's first token */
  starts: ArrayLike<number>;
}

const U32_MAX = 0xffffffff;

/** An empty top-k of size k for L x F neurons. */
export function emptyTopK(layers: number, neurons: number, k: number): TopK {
  if (!Number.isInteger(layers) || layers < 1) throw new Error(`top-k: layers must be a positive integer, got ${layers}`);
  if (!Number.isInteger(neurons) || neurons < 1) throw new Error(`top-k: neurons must be a positive integer, got ${neurons}`);
  if (!Number.isInteger(k) || k < 1) throw new Error(`top-k: k must be a positive integer, got ${k}`);
  const n = layers * neurons;
  return {
    layers,
    neurons,
    k,
    size: new Uint32Array(n),
    values: new Float32Array(n * k),
    docs: new Uint32Array(n * k),
    positions: new Uint32Array(n * k),
  };
}

/** true when (va, da, pa) ranks strictly before (vb, db, pb). */
function before(va: number, da: number, pa: number, vb: number, db: number, pb: number): boolean {
  if (va !== vb) return va > vb;
  if (da !== db) return da < db;
  return pa < pb;
}

/**
 * Offers one entry to neuron i's list. Values are rounded to float32 first, so that an entry ranks
 * the same before and after it is stored. NaN is not offered: it has no rank (the statistics still
 * show a neuron whose activations went NaN).
 */
function offer(acc: TopK, i: number, value: number, doc: number, position: number): void {
  const { k } = acc;
  const v = Math.fround(value);
  const base = i * k;
  let size = acc.size[i]!;
  const vals = acc.values;
  const docs = acc.docs;
  const pos = acc.positions;
  // The common case once the lists fill up: not better than the worst kept entry.
  if (size === k && !before(v, doc, position, vals[base + k - 1]!, docs[base + k - 1]!, pos[base + k - 1]!)) return;
  // One entry per token: keep the better of two entries for the same (doc, position).
  for (let j = 0; j < size; j++) {
    if (docs[base + j] === doc && pos[base + j] === position) {
      if (!before(v, doc, position, vals[base + j]!, doc, position)) return;
      vals.copyWithin(base + j, base + j + 1, base + size);
      docs.copyWithin(base + j, base + j + 1, base + size);
      pos.copyWithin(base + j, base + j + 1, base + size);
      size--;
      break;
    }
  }
  // Insertion from the end: the lists are short (k ~ tens), so this beats a heap.
  let j = Math.min(size, k - 1);
  while (j > 0 && before(v, doc, position, vals[base + j - 1]!, docs[base + j - 1]!, pos[base + j - 1]!)) {
    vals[base + j] = vals[base + j - 1]!;
    docs[base + j] = docs[base + j - 1]!;
    pos[base + j] = pos[base + j - 1]!;
    j--;
  }
  vals[base + j] = v;
  docs[base + j] = doc;
  pos[base + j] = position;
  acc.size[i] = Math.min(size + 1, k);
}

/**
 * Folds one batch into `acc` in place and returns it. k' (the batch's list length per neuron) is
 * read from the arrays' length; it may differ from k. Throws, leaving `acc` untouched, on a shape
 * mismatch or a flat index outside the batch.
 */
export function addTopKBatch(acc: TopK, batch: TopKBatch): TopK {
  const { layers: L, neurons: F } = acc;
  const rows = batch.docs.length;
  const T = batch.seqLen;
  if (!Number.isInteger(T) || T < 1) throw new Error(`top-k: seqLen must be a positive integer, got ${T}`);
  if (batch.starts.length !== rows) throw new Error(`top-k: ${rows} row documents but ${batch.starts.length} row starts`);
  if (batch.values.length % (L * F) !== 0) throw new Error(`top-k: values has ${batch.values.length} entries, not a multiple of ${L}x${F}`);
  if (batch.indices.length !== batch.values.length) throw new Error(`top-k: ${batch.values.length} values but ${batch.indices.length} indices`);
  for (let b = 0; b < rows; b++) {
    const d = batch.docs[b]!;
    const s = batch.starts[b]!;
    if (!Number.isInteger(d) || d < 0 || d > U32_MAX) throw new Error(`top-k: document id ${d} of row ${b} is not a 32-bit unsigned integer`);
    if (!Number.isInteger(s) || s < 0 || s + T - 1 > U32_MAX) throw new Error(`top-k: start ${s} of row ${b} is out of range`);
  }
  const kb = batch.values.length / (L * F);
  const flat = flatIndices(batch.indices, rows, T);
  // Each neuron's current worst kept value (-Infinity while its list has room): most candidates
  // fall below it once the lists fill up, and this contiguous array rejects them without touching
  // the [L*F*k] lists.
  const { k } = acc;
  const floor = new Float32Array(L * F).fill(-Infinity);
  for (let i = 0; i < floor.length; i++) if (acc.size[i] === k) floor[i] = acc.values[i * k + k - 1]!;
  for (let l = 0; l < L; l++) {
    for (let j = 0; j < kb; j++) {
      const row = (l * kb + j) * F;
      for (let f = 0; f < F; f++) {
        const v = batch.values[row + f]!;
        const i = l * F + f;
        // v < floor: ranks after the worst kept entry whatever the tie-breaks. NaN is never offered,
        // nor -Infinity: the graph's value for a masked token (padding, the overlap of windows).
        if (!(Math.fround(v) >= floor[i]!) || v === -Infinity) continue;
        const x = flat[row + f]!;
        const b = Math.floor(x / T);
        offer(acc, i, v, batch.docs[b]!, batch.starts[b]! + (x - b * T));
        if (acc.size[i] === k) floor[i] = acc.values[i * k + k - 1]!;
      }
    }
  }
  return acc;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Flat token indices as numbers, checked to lie in [0, tokens). int64 tensors are read through
 * their low 32-bit words (with the high words checked to be 0): converting 7M BigInts one by one
 * costs more than the rest of the batch.
 */
function flatIndices(indices: CountArray, rows: number, T: number): Float64Array | Int32Array {
  const tokens = rows * T;
  const bad = (j: number): Error => new Error(`top-k: flat index ${String(indices[j])} is outside the batch's ${rows}x${T} tokens`);
  if (indices instanceof BigInt64Array && LITTLE_ENDIAN && tokens <= 0x7fffffff) {
    const words = new Int32Array(indices.buffer, indices.byteOffset, indices.length * 2);
    const out = new Int32Array(indices.length);
    for (let j = 0; j < out.length; j++) {
      const x = words[2 * j]!;
      if (words[2 * j + 1] !== 0 || x < 0 || x >= tokens) throw bad(j);
      out[j] = x;
    }
    return out;
  }
  const out = new Float64Array(indices.length);
  for (let j = 0; j < out.length; j++) {
    const x = Number(indices[j]!);
    if (!Number.isInteger(x) || x < 0 || x >= tokens) throw bad(j);
    out[j] = x;
  }
  return out;
}

/** A copy of `t` (the top-k arrays are large; copies are explicit). */
function copyTopK(t: TopK): TopK {
  return { layers: t.layers, neurons: t.neurons, k: t.k, size: t.size.slice(), values: t.values.slice(), docs: t.docs.slice(), positions: t.positions.slice() };
}

/**
 * The top-k of the union of two top-k lists (new; inputs untouched). Both must have the same shape
 * and k. The result is the k best distinct tokens of the union under the total order, whichever
 * argument comes first and however shards are grouped.
 */
export function mergeTopK(a: TopK, b: TopK): TopK {
  if (a.layers !== b.layers || a.neurons !== b.neurons || a.k !== b.k) {
    throw new Error(`top-k: cannot merge ${a.layers}x${a.neurons} k=${a.k} with ${b.layers}x${b.neurons} k=${b.k}`);
  }
  const out = copyTopK(a);
  const { k } = b;
  for (let i = 0; i < b.size.length; i++) {
    for (let j = 0, s = b.size[i]!; j < s; j++) offer(out, i, b.values[i * k + j]!, b.docs[i * k + j]!, b.positions[i * k + j]!);
  }
  return out;
}

/** Neuron (layer, neuron)'s entries, best first. */
export function neuronTopK(acc: TopK, layer: LayerIndex, neuron: NeuronIndex): TopKEntry[] {
  if (!Number.isInteger(layer) || layer < 0 || layer >= acc.layers) throw new Error(`top-k: layer ${layer} is not in 0..${acc.layers - 1}`);
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= acc.neurons) throw new Error(`top-k: neuron ${neuron} is not in 0..${acc.neurons - 1}`);
  const i = layer * acc.neurons + neuron;
  const out: TopKEntry[] = [];
  for (let j = 0, s = acc.size[i]!; j < s; j++) {
    out.push({ value: acc.values[i * acc.k + j]!, doc: acc.docs[i * acc.k + j]!, position: acc.positions[i * acc.k + j]! });
  }
  return out;
}

/** The graph output names of the top-k head. */
export const TOPK_OUTPUTS = { values: 'topk_values', indices: 'topk_indices' } as const;

/** A TopKBatch from a session's outputs plus the rows' provenance. */
export function topKBatchFromOutputs(
  out: Readonly<Record<string, OutputTensor | undefined>>,
  rows: { seqLen: number; docs: ArrayLike<number>; starts: ArrayLike<number> },
): TopKBatch {
  const values = out[TOPK_OUTPUTS.values];
  const indices = out[TOPK_OUTPUTS.indices];
  if (values === undefined || indices === undefined) throw new Error('top-k: the graph outputs lack topk_values / topk_indices');
  if (!(values.data instanceof Float32Array)) throw new Error('top-k: topk_values should be float32');
  return { values: values.data, indices: indices.data, seqLen: rows.seqLen, docs: rows.docs, starts: rows.starts };
}
