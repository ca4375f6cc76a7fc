// The logit lens of the residual stream (nostalgebraist 2020): the model's final norm and
// unembedding applied to the residual stream after a layer, as if the layers above were skipped.
// After the last layer it is the model's own output. Float64 throughout.
import type { Tensor } from './tensor-scan.js';

export interface FinalNorm {
  kind: 'layernorm' | 'rmsnorm';
  eps: number;
  weight: ArrayLike<number>;
  /** layernorm's bias, when the model has one */
  bias?: ArrayLike<number>;
}

export interface LensToken {
  token: number;
  logit: number;
  /** softmax probability over the whole vocabulary */
  prob: number;
}

export interface LensCell {
  /** the highest logits first (ties: lower token id first) */
  top: LensToken[];
  /** the target's place: rank 1 = the most likely token */
  target?: LensToken & { rank: number };
}

/** LayerNorm or RMSNorm of one vector, as the model's final norm. */
export function applyNorm(x: ArrayLike<number>, n: FinalNorm): Float64Array {
  const D = x.length;
  if (n.weight.length !== D) throw new Error(`residual lens: the final norm has ${n.weight.length} weights, the residual stream ${D} dimensions`);
  const y = Float64Array.from(x);
  let mean = 0;
  if (n.kind === 'layernorm') {
    for (let d = 0; d < D; d++) mean += y[d]!;
    mean /= D;
  }
  let ms = 0;
  for (let d = 0; d < D; d++) ms += (y[d]! - mean) ** 2;
  const inv = 1 / Math.sqrt(ms / D + n.eps);
  for (let d = 0; d < D; d++) y[d] = (y[d]! - mean) * inv * (n.weight[d] as number) + (n.bias ? (n.bias[d] as number) : 0);
  return y;
}

/**
 * The lens of one residual vector: final norm, unembedding U [V, D] (and Gemma 2's final soft cap,
 * cap * tanh(logit / cap)), then the top `k` tokens and the target's rank (1 + the number of tokens
 * with a strictly higher logit).
 */
export function lensCell(resid: ArrayLike<number>, n: FinalNorm, unembedding: Tensor, k: number, target?: number, softcap?: number): LensCell {
  const [V, D] = unembedding.shape as [number, number];
  if (unembedding.shape.length !== 2 || V * D !== unembedding.data.length) throw new Error(`residual lens: the unembedding should be a matrix [V, D], got shape [${unembedding.shape.join(', ')}]`);
  if (resid.length !== D) throw new Error(`residual lens: the residual vector has ${resid.length} dimensions, the unembedding ${D}`);
  if (target !== undefined && (!Number.isInteger(target) || target < 0 || target >= V)) throw new RangeError(`residual lens: target token ${target} is outside the vocabulary 0..${V - 1}`);
  const h = applyNorm(resid, n);
  const logits = new Float64Array(V);
  const U = unembedding.data;
  let max = -Infinity;
  for (let v = 0; v < V; v++) {
    let s = 0;
    for (let d = 0, base = v * D; d < D; d++) s += (U[base + d] as number) * h[d]!;
    if (softcap !== undefined) s = softcap * Math.tanh(s / softcap);
    logits[v] = s;
    if (s > max) max = s;
  }
  let z = 0;
  for (let v = 0; v < V; v++) z += Math.exp(logits[v]! - max);
  const prob = (v: number) => Math.exp(logits[v]! - max) / z;
  // the k best in one pass (a sorted list with an early reject: ~V comparisons for V ~ 50k, not a sort)
  const order: number[] = [];
  for (let v = 0; v < V && k > 0; v++) {
    const s = logits[v]!;
    if (order.length === k && !(s > logits[order[k - 1]!]!)) continue;
    if (order.length === k) order.pop();
    let j = order.length;
    while (j > 0 && s > logits[order[j - 1]!]!) j--;
    order.splice(j, 0, v);
  }
  const cell: LensCell = { top: order.map((v) => ({ token: v, logit: logits[v]!, prob: prob(v) })) };
  if (target !== undefined) {
    let higher = 0;
    for (let v = 0; v < V; v++) if (logits[v]! > logits[target]!) higher++;
    cell.target = { token: target, logit: logits[target]!, prob: prob(target), rank: higher + 1 };
  }
  return cell;
}
