// The largest |values| of every residual dimension per layer over a capture (massive activations,
// Sun et al. 2024): a running top-k of (|value|, signed value, document, position, token) per
// (layer, dim).
//
// The graph returns, per batch, each dim's k' largest |resid_post| with the signed value and the
// flat token index b*T + t (native-models/graph/heads.ts, layerAbsTopK). Entries are ordered by a
// total order (larger |value| first, then smaller document id, then smaller position), and one
// entry is kept per (document, position), so the result does not depend on the order batches or
// shards arrive in: a resumed capture ends identical and merging shards gives the top-k of the
// whole (the same argument as top-k.ts, whose shape this follows).

import type { CountArray, OutputTensor, ValueArray } from './neuron-stats.js';
import type { ResidTopRow } from '../../common/resid-top-row.js';
export type { ResidTopRow };

/** The running top-k of L x D residual dims; (l, d) = i = l*D + d owns slots [i*k, i*k + size[i]), best first. */
export interface ResidTop {
  readonly layers: number;
  readonly dims: number;
  readonly k: number;
  /** [L*D] entries held (<= k) */
  size: Uint32Array;
  /** [L*D*k] |value| (float32, as the graph computes it) */
  abs: Float32Array;
  /** [L*D*k] the signed value */
  values: Float32Array;
  /** [L*D*k] document ids */
  docs: Uint32Array;
  /** [L*D*k] token positions within the document */
  positions: Uint32Array;
  /** [L*D*k] token ids */
  tokens: Int32Array;
}


/** One batch of the graph's residual top-k head plus where its rows came from. */
export interface ResidTopBatch {
  /** resid_topk_abs [L, k', D]; masked tokens come as -Infinity and are skipped */
  abs: ValueArray;
  /** resid_topk_values [L, k', D] */
  values: ValueArray;
  /** resid_topk_indices [L, k', D]: flat token index b*T + t */
  indices: CountArray;
  /** T, the batch's sequence length */
  seqLen: number;
  /** [B] the document id of each row */
  docs: ArrayLike<number>;
  /** [B] the position within its document of each row's first token */
  starts: ArrayLike<number>;
  /** [B*T] the token ids fed (input_ids, row-major) */
  ids: ArrayLike<number>;
}

export function emptyResidTop(layers: number, dims: number, k: number): ResidTop {
  for (const [name, v] of [['layers', layers], ['dims', dims], ['k', k]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`residual top-k: ${name} must be a positive integer, got ${v}`);
  }
  const n = layers * dims;
  return {
    layers,
    dims,
    k,
    size: new Uint32Array(n),
    abs: new Float32Array(n * k),
    values: new Float32Array(n * k),
    docs: new Uint32Array(n * k),
    positions: new Uint32Array(n * k),
    tokens: new Int32Array(n * k),
  };
}

function before(va: number, da: number, pa: number, vb: number, db: number, pb: number): boolean {
  if (va !== vb) return va > vb;
  if (da !== db) return da < db;
  return pa < pb;
}

/** Moves slot `from` of the flat arrays to slot `to`. */
function move(acc: ResidTop, to: number, from: number): void {
  acc.abs[to] = acc.abs[from]!;
  acc.values[to] = acc.values[from]!;
  acc.docs[to] = acc.docs[from]!;
  acc.positions[to] = acc.positions[from]!;
  acc.tokens[to] = acc.tokens[from]!;
}

/** Offers one entry to list i (values rounded to float32 first, so it ranks the same once stored). NaN is not offered. */
function offer(acc: ResidTop, i: number, value: number, doc: number, position: number, token: number): void {
  const { k } = acc;
  const v = Math.fround(value);
  const a = Math.abs(v);
  if (Number.isNaN(a)) return;
  const base = i * k;
  let size = acc.size[i]!;
  if (size === k && !before(a, doc, position, acc.abs[base + k - 1]!, acc.docs[base + k - 1]!, acc.positions[base + k - 1]!)) return;
  for (let j = 0; j < size; j++) {
    if (acc.docs[base + j] === doc && acc.positions[base + j] === position) {
      if (!(a > acc.abs[base + j]!)) return;
      for (let m = j; m < size - 1; m++) move(acc, base + m, base + m + 1);
      size--;
      break;
    }
  }
  let j = Math.min(size, k - 1);
  while (j > 0 && before(a, doc, position, acc.abs[base + j - 1]!, acc.docs[base + j - 1]!, acc.positions[base + j - 1]!)) {
    move(acc, base + j, base + j - 1);
    j--;
  }
  acc.abs[base + j] = a;
  acc.values[base + j] = v;
  acc.docs[base + j] = doc;
  acc.positions[base + j] = position;
  acc.tokens[base + j] = token;
  acc.size[i] = Math.min(size + 1, k);
}

/** Folds one batch into `acc` in place and returns it; throws, leaving `acc` untouched, on a shape mismatch. */
export function addResidTopBatch(acc: ResidTop, batch: ResidTopBatch): ResidTop {
  const { layers: L, dims: D } = acc;
  const rows = batch.docs.length;
  const T = batch.seqLen;
  if (!Number.isInteger(T) || T < 1) throw new Error(`residual top-k: seqLen must be a positive integer, got ${T}`);
  if (batch.starts.length !== rows) throw new Error(`residual top-k: ${rows} row documents but ${batch.starts.length} row starts`);
  if (batch.ids.length !== rows * T) throw new Error(`residual top-k: ${batch.ids.length} token ids for ${rows}x${T} tokens`);
  if (batch.abs.length % (L * D) !== 0) throw new Error(`residual top-k: abs has ${batch.abs.length} entries, not a multiple of ${L}x${D}`);
  if (batch.values.length !== batch.abs.length || batch.indices.length !== batch.abs.length) {
    throw new Error(`residual top-k: ${batch.abs.length} |values| but ${batch.values.length} values and ${batch.indices.length} indices`);
  }
  const kb = batch.abs.length / (L * D);
  const flat = new Float64Array(batch.indices.length);
  for (let j = 0; j < flat.length; j++) {
    const x = Number(batch.indices[j]!);
    if (!Number.isInteger(x) || x < 0 || x >= rows * T) throw new Error(`residual top-k: flat index ${x} is outside the batch's ${rows}x${T} tokens`);
    flat[j] = x;
  }
  for (let l = 0; l < L; l++) {
    for (let j = 0; j < kb; j++) {
      const row = (l * kb + j) * D;
      for (let d = 0; d < D; d++) {
        // -Infinity: a masked token (padding, the overlap of windows)
        if (batch.abs[row + d] === -Infinity) continue;
        const x = flat[row + d]!;
        const b = Math.floor(x / T);
        offer(acc, l * D + d, batch.values[row + d]!, batch.docs[b]!, batch.starts[b]! + (x - b * T), batch.ids[x]!);
      }
    }
  }
  return acc;
}

/** The top-k of the union of two (new; inputs untouched); the same shape and k. */
export function mergeResidTop(a: ResidTop, b: ResidTop): ResidTop {
  if (a.layers !== b.layers || a.dims !== b.dims || a.k !== b.k) {
    throw new Error(`residual top-k: cannot merge ${a.layers}x${a.dims} k=${a.k} with ${b.layers}x${b.dims} k=${b.k}`);
  }
  const out: ResidTop = { ...a, size: a.size.slice(), abs: a.abs.slice(), values: a.values.slice(), docs: a.docs.slice(), positions: a.positions.slice(), tokens: a.tokens.slice() };
  const { k } = b;
  for (let i = 0; i < b.size.length; i++) {
    for (let j = 0, s = b.size[i]!; j < s; j++) offer(out, i, b.values[i * k + j]!, b.docs[i * k + j]!, b.positions[i * k + j]!, b.tokens[i * k + j]!);
  }
  return out;
}

export function residTopRows(acc: ResidTop): ResidTopRow[] {
  const rows: ResidTopRow[] = [];
  for (let i = 0; i < acc.layers * acc.dims; i++) {
    for (let rank = 0; rank < acc.size[i]!; rank++) {
      const at = i * acc.k + rank;
      rows.push({
        layer: Math.floor(i / acc.dims),
        dim: i % acc.dims,
        rank,
        abs: acc.abs[at]!,
        value: acc.values[at]!,
        documentId: acc.docs[at]!,
        position: acc.positions[at]!,
        tokenId: acc.tokens[at]!,
      });
    }
  }
  return rows;
}

export function residTopFromRows(layers: number, dims: number, k: number, rows: readonly ResidTopRow[]): ResidTop {
  const acc = emptyResidTop(layers, dims, k);
  for (const r of rows) {
    if (r.layer >= layers || r.dim >= dims || r.rank >= k) throw new Error(`residual top-k: row (layer ${r.layer}, dim ${r.dim}, rank ${r.rank}) is outside ${layers}x${dims} k=${k}`);
    const i = r.layer * dims + r.dim;
    const at = i * k + r.rank;
    acc.abs[at] = r.abs;
    acc.values[at] = r.value;
    acc.docs[at] = r.documentId;
    acc.positions[at] = r.position;
    acc.tokens[at] = r.tokenId;
    acc.size[i] = Math.max(acc.size[i]!, r.rank + 1);
  }
  return acc;
}

/** The graph output names of the residual top-k head. */
export const RESID_TOP_OUTPUTS = { abs: 'resid_topk_abs', values: 'resid_topk_values', indices: 'resid_topk_indices' } as const;

/** A ResidTopBatch from a session's outputs plus the rows' provenance and the ids fed. */
export function residTopBatchFromOutputs(
  out: Readonly<Record<string, OutputTensor | undefined>>,
  rows: { seqLen: number; docs: ArrayLike<number>; starts: ArrayLike<number>; ids: ArrayLike<number> },
): ResidTopBatch {
  const abs = out[RESID_TOP_OUTPUTS.abs];
  const values = out[RESID_TOP_OUTPUTS.values];
  const indices = out[RESID_TOP_OUTPUTS.indices];
  if (abs === undefined || values === undefined || indices === undefined) throw new Error('residual top-k: the graph outputs lack resid_topk_abs / _values / _indices');
  if (!(abs.data instanceof Float32Array) || !(values.data instanceof Float32Array)) throw new Error('residual top-k: resid_topk_abs and resid_topk_values should be float32');
  return { abs: abs.data, values: values.data, indices: indices.data, ...rows };
}

/**
 * Tokens kept per (layer, dim) by a capture: enough to show where a massive activation sits (the
 * first token, a delimiter, ...) and whether it recurs; a dim holds L*D*k rows in all
 * (12 x 768 x 4 = 36,864 for GPT-2 small), next to the L*F*topK of the neurons' top examples.
 */
export const RESID_TOP_K = 4;
