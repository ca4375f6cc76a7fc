// Output heads: what leaves the runtime. Reductions happen in the graph so that a capture returns
// [L, F]-sized tensors instead of [N, T, F] activations per layer.

import { W } from '../spec.js';
import { type BuildContext, linear } from './context.js';
import { attr } from './graph.js';
import { norm } from './blocks.js';

/** Final norm + unembedding of h [M, D] -> [M, V]. */
export function unembed(c: BuildContext, h: string): string {
  const head = c.has(W.lmHead) ? W.lmHead : W.tokenEmbedding;
  const logits = linear(c, norm(c, h, W.finalNormWeight, W.finalNormBias), head);
  const cap = c.spec.finalSoftcap;
  if (cap === undefined) return logits;
  // Gemma 2: cap * tanh(logit / cap)
  return c.g.op('Mul', [c.g.op('Tanh', [c.g.op('Div', [logits, c.g.f32([cap], true)])]), c.g.f32([cap], true)]);
}

/** Rows of one condition from a [N*T, X] value: condition 0 is the first B*T rows. */
export function condition0(c: BuildContext, x2d: string): string {
  return c.g.op('Slice', [x2d, c.g.i64([0]), c.BT1, c.g.i64([0])]);
}

/** -log softmax(logits)[target] per token [N, T]; 0 where target < 0. */
export function nll(c: BuildContext, logp: string, targets: string): string {
  const { g } = c;
  const ignore = g.op('Less', [targets, g.i64([0], true)]);
  const safe = g.op('Where', [ignore, g.i64([0], true), targets]);
  const picked = g.op('GatherElements', [logp, g.op('Unsqueeze', [safe, g.i64([2])])], { axis: attr.i(2) });
  const value = g.op('Neg', [g.op('Squeeze', [picked, g.i64([2])])]);
  return g.op('Where', [ignore, g.f32([0], true), value]);
}

/** KL(p_0 || p_c) per token [N, T]: each row's distribution against condition 0's same (b, t). */
export function kl(c: BuildContext, logp: string): string {
  const { g, spec } = c;
  const byCond = g.op('Reshape', [logp, g.op('Concat', [g.i64([-1]), c.BT1, g.i64([spec.vocabSize])], { axis: attr.i(0) })]);
  const lp0 = g.op('Slice', [byCond, g.i64([0]), g.i64([1]), g.i64([0])]);
  const terms = g.op('Mul', [g.op('Exp', [lp0]), g.op('Sub', [lp0, byCond])]);
  const perToken = g.op('ReduceSum', [terms, g.i64([2])], { keepdims: attr.i(0) }); // [C, B*T]
  return g.op('Reshape', [perToken, g.op('Concat', [g.i64([-1]), c.T1], { axis: attr.i(0) })]);
}

export interface LayerStats {
  sum: string;
  sumsq: string;
  min: string;
  max: string;
  fire: string;
  /** [m] per counted token, how many of the layer's neurons fired (float) */
  active: string;
  /** with a unitMask: the tokens each neuron counted [1, F] (float) */
  unitCount?: string;
  /** with moments: sum |x|, sum x^3, sum x^4 */
  sumAbs?: string;
  sum3?: string;
  sum4?: string;
}

/**
 * Per-neuron reductions over the tokens of x0 [B*T, F] -> each [1, F]. With a mask [B*T, 1] of
 * 1/0, only tokens with 1 count: sums are weighted by it, min/max see +-inf in place of the others.
 * A token fires a neuron when x > threshold, or |x| > threshold with fireOnMagnitude.
 * With unitMask [B*T, F] of 1/0 (mixture of experts: 1 where the unit's expert is routed), a
 * neuron counts only its own tokens (both masks), and the per-token active count only those units.
 */
export function layerStats(c: BuildContext, x0: string, threshold: string, tokenMask?: string, moments = false, fireOnMagnitude = false, unitMask?: string): LayerStats {
  const { g } = c;
  const over = g.i64([0]);
  const keep = { keepdims: attr.i(1) };
  const mask = unitMask ? (tokenMask ? g.op('Mul', [tokenMask, unitMask]) : unitMask) : tokenMask;
  const sum = (v: string): string => g.op('ReduceSum', [mask ? g.op('Mul', [v, mask]) : v, over], keep);
  const only = (fill: number): string => (mask ? g.op('Where', [g.op('Greater', [mask, g.f32([0], true)]), x0, g.f32([fill], true)]) : x0);
  const fired = g.op('Cast', [g.op('Greater', [fireOnMagnitude ? g.op('Abs', [x0]) : x0, threshold])], { to: attr.i(1) });
  // ReduceSum(x*x): about 6x faster than ReduceSumSquare over the token axis in onnxruntime (bench/reductions.ts)
  const x2 = g.op('Mul', [x0, x0]);
  const stats: LayerStats = {
    sum: sum(x0),
    sumsq: sum(x2),
    min: g.op('ReduceMin', [only(Infinity), over], keep),
    max: g.op('ReduceMax', [only(-Infinity), over], keep),
    fire: sum(fired),
    active: (() => {
      const perToken = g.op('ReduceSum', [unitMask ? g.op('Mul', [fired, unitMask]) : fired, g.i64([1])], { keepdims: attr.i(0) }); // [B*T]
      // only counted tokens: Compress drops the masked rows
      return tokenMask ? g.op('Compress', [perToken, g.op('Greater', [g.op('Squeeze', [tokenMask, g.i64([1])]), g.f32([0], true)])], { axis: attr.i(0) }) : perToken;
    })(),
    ...(unitMask ? { unitCount: g.op('ReduceSum', [mask as string, over], keep) } : {}),
  };
  if (moments) {
    const x3 = g.op('Mul', [x2, x0]);
    stats.sumAbs = sum(g.op('Abs', [x0]));
    stats.sum3 = sum(x3);
    stats.sum4 = sum(g.op('Mul', [x2, x2]));
  }
  return stats;
}

/**
 * Top-k over the tokens of x0 [B*T, F]: values and flat positions b*T+t, each [1, k', F],
 * k' = min(k, B*T); tokens masked out (mask 0) take -inf.
 */
export function layerTopK(c: BuildContext, x0: string, k: number, mask?: string): { values: string; indices: string } {
  const { g } = c;
  const kk = g.op('Min', [g.i64([k]), c.BT1]);
  const x = mask ? g.op('Where', [g.op('Greater', [mask, g.f32([0], true)]), x0, g.f32([-Infinity], true)]) : x0;
  // TopK along the last axis of x^T [F, B*T] is about 3x faster than along axis 0 of x; only the small
  // [F, k'] results are transposed back.
  const xt = g.op('Transpose', [x], { perm: attr.ints([1, 0]) });
  const [values, indices] = g.opN('TopK', [xt, kk], 2, { axis: attr.i(1), largest: attr.i(1), sorted: attr.i(1) });
  const back = (v: string): string => g.op('Unsqueeze', [g.op('Transpose', [v], { perm: attr.ints([1, 0]) }), g.i64([0])]);
  return { values: back(values as string), indices: back(indices as string) };
}

/**
 * Top-k by magnitude over the tokens of x0 [B*T, D] (the residual stream: where massive
 * activations sit): |x| values, the signed values at the same tokens, and flat positions b*T+t,
 * each [1, k', D], k' = min(k, B*T); tokens masked out (mask 0) take |x| = -inf. The same TopK as
 * layerTopK plus an Abs and a GatherElements of k' values per dim.
 */
export function layerAbsTopK(c: BuildContext, x0: string, k: number, mask?: string): { abs: string; values: string; indices: string } {
  const { g } = c;
  const kk = g.op('Min', [g.i64([k]), c.BT1]);
  const a = g.op('Abs', [x0]);
  const x = mask ? g.op('Where', [g.op('Greater', [mask, g.f32([0], true)]), a, g.f32([-Infinity], true)]) : a;
  const xt = g.op('Transpose', [x], { perm: attr.ints([1, 0]) });
  const [abs, indices] = g.opN('TopK', [xt, kk], 2, { axis: attr.i(1), largest: attr.i(1), sorted: attr.i(1) });
  const signed = g.op('GatherElements', [g.op('Transpose', [x0], { perm: attr.ints([1, 0]) }), indices as string], { axis: attr.i(1) });
  const back = (v: string): string => g.op('Unsqueeze', [g.op('Transpose', [v], { perm: attr.ints([1, 0]) }), g.i64([0])]);
  return { abs: back(abs as string), values: back(signed), indices: back(indices as string) };
}

/** Concatenates per-layer [1, ...] values along axis 0 -> [L, ...]. */
export function stack(c: BuildContext, parts: readonly string[]): string {
  return parts.length === 1 ? (parts[0] as string) : c.g.op('Concat', parts, { axis: attr.i(0) });
}
