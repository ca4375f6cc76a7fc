// The transformer's parts as ONNX subgraphs. The residual stream is kept 2-D, [N*T, D] (N rows of
// the effective batch, T positions), so every projection is one Gemm on the weight as stored;
// attention reshapes to [N, heads, T, headDim] and back.

import { type Activation, W } from '../spec.js';
import { type BuildContext, gatherRows, linear } from './context.js';
import { attr } from './graph.js';
import { type Rotary, rotaryTables } from './rotary.js';

/**
 * The positions before this run's tokens, when a KV cache holds them (generation): P as an int64
 * scalar and as [1]. This run's tokens sit at positions P..P+T-1 and attend to P+T keys.
 */
export interface PastLength {
  P: string;
  P1: string;
}

/** Token (and learned position) embeddings of ids [N, T] -> [N*T, D]; positions from past.P (default 0). */
export function embed(c: BuildContext, ids: string, past?: PastLength): string {
  const { g, spec } = c;
  let x = gatherRows(c, W.tokenEmbedding, ids); // [N, T, D]
  if (spec.positional.kind === 'learned') {
    const off = spec.positional.offset;
    const start = past ? g.op('Add', [past.P, g.i64([off], true)]) : g.i64([off], true);
    const end = g.op('Add', [c.T, start]);
    const posIds = g.op('Range', [start, end, g.i64([1], true)]);
    x = g.op('Add', [x, gatherRows(c, W.positionEmbedding, posIds)]); // + [T, D]
  }
  if (spec.embedScale !== undefined) x = g.op('Mul', [x, g.f32([spec.embedScale], true)]); // Gemma: * sqrt(dModel)
  return g.op('Reshape', [x, g.i64([-1, spec.dModel])]);
}

/** The block's or the final norm over the last axis. */
export function norm(c: BuildContext, x: string, weight: string, bias: string): string {
  const { g, spec } = c;
  if (spec.norm === 'layernorm') {
    const inputs = [x, c.w(weight)];
    if (c.has(bias)) inputs.push(c.w(bias));
    return g.op('LayerNormalization', inputs, { axis: attr.i(-1), epsilon: attr.f(spec.normEps) });
  }
  // RMSNorm has no ONNX op before opset 23: x / sqrt(mean(x^2) + eps) * w
  const ms = g.op('ReduceMean', [g.op('Mul', [x, x]), g.i64([-1])], { keepdims: attr.i(1) });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, g.f32([spec.normEps], true)])])]);
  return g.op('Mul', [g.op('Mul', [x, inv]), c.w(weight)]);
}

export function activation(c: BuildContext, x: string, act: Activation): string {
  const { g } = c;
  switch (act) {
    case 'relu':
      return g.op('Relu', [x]);
    case 'silu':
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    // One Gelu node (opset 20) instead of a chain of elementwise ops: onnxruntime runs it as one kernel.
    case 'gelu': // exact: 0.5 x (1 + erf(x / sqrt 2))
      return g.op('Gelu', [x], { approximate: attr.s('none') });
    case 'gelu_new': // tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      return g.op('Gelu', [x], { approximate: attr.s('tanh') });
  }
}

/** Host-computed cos/sin tables as initializers, sliced to the run's T: [T, rotaryDim]. */
export interface RotaryTables {
  cos: string;
  sin: string;
  p: Rotary;
}

/**
 * `prefix` names the initializers: 'rotary', or 'rotary_local' for the sliding-window layers' own
 * tables (Gemma 3). With `past`, the rows of positions P..P+T-1.
 */
export function rotaryInit(c: BuildContext, p: Rotary, positions: number, prefix = 'rotary', past?: PastLength): RotaryTables {
  const { cos, sin } = rotaryTables(p, positions);
  const { g } = c;
  const [from, to] = past ? [past.P1, g.op('Add', [past.P1, c.T1])] : [g.i64([0]), c.T1];
  const take = (name: string, data: Float32Array): string => g.op('Slice', [g.initF32(name, data, [positions, p.rotaryDim]), from, to, g.i64([0])]);
  return { cos: take(`${prefix}.cos`, cos), sin: take(`${prefix}.sin`, sin), p };
}

/** Rotates the first rotaryDim dims of x [N, H, T, headDim]. */
function applyRotary(c: BuildContext, x: string, rt: RotaryTables): string {
  const { g, spec } = c;
  const r = rt.p.rotaryDim;
  const slice = (v: string, from: number, to: number, axis: number): string =>
    g.op('Slice', [v, g.i64([from]), g.i64([to]), g.i64([axis])]);
  const xr = r === spec.headDim ? x : slice(x, 0, r, 3);
  let turned: string; // the partner of each element with the sign of the rotation: (-x2, x1)
  if (rt.p.interleaved) {
    const pairs = g.op('Reshape', [xr, g.i64([0, 0, 0, r / 2, 2])]);
    const even = slice(pairs, 0, 1, 4);
    const odd = slice(pairs, 1, 2, 4);
    turned = g.op('Reshape', [g.op('Concat', [g.op('Neg', [odd]), even], { axis: attr.i(4) }), g.i64([0, 0, 0, r])]);
  } else {
    const first = slice(xr, 0, r / 2, 3);
    const second = slice(xr, r / 2, r, 3);
    turned = g.op('Concat', [g.op('Neg', [second]), first], { axis: attr.i(3) });
  }
  const rotated = g.op('Add', [g.op('Mul', [xr, rt.cos]), g.op('Mul', [turned, rt.sin])]);
  if (r === spec.headDim) return rotated;
  return g.op('Concat', [rotated, slice(x, r, spec.headDim, 3)], { axis: attr.i(3) });
}

/** Query positions [T, 1] and key positions [1, T] (with `past`: [1, P+T], queries from P). */
function maskPositions(c: BuildContext, past?: PastLength): { q: string; k: string } {
  const { g } = c;
  const zero = g.i64([0], true);
  const one = g.i64([1], true);
  if (!past) {
    const pos = g.op('Range', [zero, c.T, one]);
    return { q: g.op('Unsqueeze', [pos, g.i64([1])]), k: g.op('Unsqueeze', [pos, g.i64([0])]) };
  }
  const end = g.op('Add', [past.P, c.T]);
  return { q: g.op('Unsqueeze', [g.op('Range', [past.P, end, one]), g.i64([1])]), k: g.op('Unsqueeze', [g.op('Range', [zero, end, one]), g.i64([0])]) };
}

/** Causal mask [T, T] ([T, P+T] with `past`): true where key position <= query position. */
export function causalMask(c: BuildContext, past?: PastLength): string {
  const { q, k } = maskPositions(c, past);
  return c.g.op('LessOrEqual', [k, q], undefined, 'causal_mask');
}

/** Sliding-window mask of the local layers, the causal mask's shape: the causal mask and key > query - size. */
export function slidingMask(c: BuildContext, causal: string, size: number, past?: PastLength): string {
  const { g } = c;
  const { q, k } = maskPositions(c, past);
  const inWindow = g.op('Greater', [k, g.op('Sub', [q, g.i64([size], true)])]);
  return g.op('And', [causal, inWindow], undefined, 'sliding_mask');
}

/**
 * A KV-cache graph's past of one layer: buffers [N, Hkv, capacity, headDim] whose first P
 * positions (PastLength) hold the keys (after the rotary) and values of the tokens before.
 */
export interface PastKeysValues {
  kv: KeysValues;
  length: PastLength;
}

/** One layer's keys and values as attention reads them: [N, Hkv, positions, headDim], keys after the rotary. */
export interface KeysValues {
  key: string;
  value: string;
}

/**
 * Multi-head causal self-attention of h [N*T, D] -> out [N*T, D]. With `past` (a KV cache: buffers
 * whose first P positions hold the tokens before), the queries attend to those P and this run's T
 * (the mask is [T, P+T]); `added` is this run's keys and values, [N, Hkv, T, headDim].
 */
export function attentionCached(c: BuildContext, h: string, layer: number, mask: string, rt?: RotaryTables, past?: PastKeysValues): { out: string; added: KeysValues } {
  const { g, spec } = c;
  const n = W.layer(layer);
  const { nHeads: H, nKvHeads: Hkv, headDim: hd } = spec;
  const heads = (x2d: string, count: number): string => {
    const shape = g.op('Concat', [g.i64([-1]), c.T1, g.i64([count, hd])], { axis: attr.i(0) });
    return g.op('Transpose', [g.op('Reshape', [x2d, shape])], { perm: attr.ints([0, 2, 1, 3]) }); // [N, count, T, hd]
  };
  // OLMoE: RMSNorm over the whole q and k projections, before the head split
  const whole = (x: string, weight: string): string => (spec.qkNormWhole ? norm(c, x, weight, '') : x);
  let q = heads(whole(linear(c, h, n.q, n.qBias), n.qNorm), H);
  let k = heads(whole(linear(c, h, n.k, n.kBias), n.kNorm), Hkv);
  let v = heads(linear(c, h, n.v, n.vBias), Hkv);
  if (spec.qkNorm) {
    // per-head RMSNorm over the last axis (headDim), before the rotary (Qwen3, Gemma 3)
    q = norm(c, q, n.qNorm, '');
    k = norm(c, k, n.kNorm, '');
  }
  if (rt) {
    q = applyRotary(c, q, rt);
    k = applyRotary(c, k, rt);
  }
  // this run's keys and values, in the cache's own layout
  const added = { key: k, value: v };
  if (past) {
    const held = (x: string): string => g.op('Slice', [x, g.i64([0]), past.length.P1, g.i64([2])]);
    k = g.op('Concat', [held(past.kv.key), k], { axis: attr.i(2) });
    v = g.op('Concat', [held(past.kv.value), v], { axis: attr.i(2) });
  }
  let kT = g.op('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) });
  if (Hkv !== H) {
    // GQA: query head h reads kv head floor(h / rep). Grouping the query heads as [Hkv, rep] lets
    // MatMul broadcast each kv head over its group instead of copying it rep times.
    q = g.op('Reshape', [q, g.i64([0, Hkv, H / Hkv, -1, hd])]);
    kT = g.op('Unsqueeze', [kT, g.i64([2])]);
    v = g.op('Unsqueeze', [v, g.i64([2])]);
  }
  let scores = g.op('Mul', [g.op('MatMul', [q, kT]), g.f32([spec.attnScale ?? 1 / Math.sqrt(hd)], true)]);
  if (spec.attnSoftcap !== undefined) {
    // Gemma 2: cap * tanh(score / cap), before the mask
    const cap = g.f32([spec.attnSoftcap], true);
    scores = g.op('Mul', [g.op('Tanh', [g.op('Div', [scores, cap])]), cap]);
  }
  const masked = g.op('Where', [mask, scores, g.f32([-Infinity], true)]);
  const probs = g.op('Softmax', [masked], { axis: attr.i(-1) });
  const ctx = g.op('Reshape', [g.op('MatMul', [probs, v]), g.i64([0, H, -1, hd])]); // [N, H, T, hd]
  const merged = g.op('Reshape', [g.op('Transpose', [ctx], { perm: attr.ints([0, 2, 1, 3]) }), g.i64([-1, H * hd])]);
  return { out: linear(c, merged, n.o, n.oBias), added };
}

/**
 * The neuron edit of one layer: post * scale[:, layer] + shift[:, layer], per condition; with
 * resampling also + resample_mask[:, layer] * token_shift[token, layer] (a value per token).
 */
export interface NeuronEdit {
  scale: string; // [C|1, L, F]
  shift: string; // [C|1, L, F]
  /** resample ablation: which neurons of which condition take the per-token values */
  resampleMask?: string; // [C|1, L, F]
  /** the per-token values, rows in (b, t) order */
  tokenShift?: string; // [B*T, L, F]
  /**
   * single-weight edits: per condition and layer, E neurons whose W_out row changes by a D-vector;
   * the FFN output gains post[:, weightNeuron[c, l, e]] * weightDelta[c, l, e, :]
   */
  weightNeuron?: string; // int64 [C|1, L, E]
  weightDelta?: string; // [C|1, L, E, D]
  /** mixture of experts, whole experts per condition: 1 = removed from routing (router logit -inf before the rule) */
  expertUnrouted?: string; // [C|1, L, experts]
  /** mixture of experts: multiplies each expert's routing weight after the rule (0 = output zeroed, routing kept) */
  expertScale?: string; // [C|1, L, experts]
}

/** A mixture-of-experts layer's routing (spec.ts MoeSpec), every row of [N*T, ...]. */
export interface Routing {
  /** the family's probabilities before top-k [N*T, experts] */
  probs: string;
  /** the chosen experts int64 [N*T, topK], by descending weight, and their weights after the rule */
  experts: string;
  weights: string;
  /** per token, each routed expert's weight after the rule, 0 when not chosen (and after expert_scale) [N*T, experts] */
  dense: string;
  /** per token, the shared expert's coefficient sigmoid(shared_gate(x)) [N*T, 1]; absent: no gate (1) or no shared expert */
  sharedGate?: string;
}

/** Router logits -> the family's rule -> each expert's weight per token (MoeSpec); applyRouting uses it. */
export function route(c: BuildContext, h: string, layer: number, edit?: NeuronEdit): Routing {
  const { g, spec } = c;
  const moe = spec.moe;
  if (!moe) throw new Error('route: not a mixture-of-experts model');
  const n = W.layer(layer);
  const { experts: E, topK: k } = moe;
  const at = g.i64([layer]);
  // [N*T, E] <-> [C, B*T, E]: each condition lines up with its [C|1, 1, E] slice of the expert edits
  const byCond = (x: string): string => g.op('Reshape', [x, g.op('Concat', [g.i64([-1]), c.BT1, g.i64([E])], { axis: attr.i(0) })]);
  const flat = (x: string): string => g.op('Reshape', [x, g.i64([-1, E])]);
  let logits = linear(c, h, n.router);
  if (edit?.expertUnrouted) {
    const off = g.op('Greater', [g.op('Gather', [edit.expertUnrouted, at], { axis: attr.i(1) }), g.f32([0], true)]);
    logits = flat(g.op('Where', [off, g.f32([-Infinity], true), byCond(logits)]));
  }
  const probs = g.op('Softmax', [logits], { axis: attr.i(-1) });
  const [top, experts] = g.opN('TopK', [probs, g.i64([k])], 2, { axis: attr.i(-1), largest: attr.i(1), sorted: attr.i(1) }) as [string, string];
  const weights = moe.normTopK ? g.op('Div', [top, g.op('ReduceSum', [top, g.i64([-1])], { keepdims: attr.i(1) })]) : top;
  // the weights on the expert axis, 0 for the experts not chosen
  let dense = g.op('ScatterElements', [g.op('ConstantOfShape', [g.op('Shape', [probs])]), experts, weights], { axis: attr.i(1) });
  if (edit?.expertScale) dense = flat(g.op('Mul', [byCond(dense), g.op('Gather', [edit.expertScale, at], { axis: attr.i(1) })]));
  const sharedGate = moe.shared?.gated ? g.op('Sigmoid', [linear(c, h, n.sharedGate)]) : undefined;
  return { probs, experts, weights, dense, ...(sharedGate ? { sharedGate } : {}) };
}

/**
 * 1 where the unit's expert is routed at the token (weight > 0), 0 elsewhere; 1 for shared units:
 * [rows, F] from dense [rows, experts]. Which tokens a unit's statistics count.
 */
export function routedUnits(c: BuildContext, dense: string): string {
  const { g, spec } = c;
  const moe = spec.moe;
  if (!moe) throw new Error('routedUnits: not a mixture-of-experts model');
  const { experts: E, expertFf: ff } = moe;
  const on = g.op('Cast', [g.op('Greater', [dense, g.f32([0], true)])], { to: attr.i(1) });
  const units = g.op('Reshape', [g.op('Expand', [g.op('Unsqueeze', [on, g.i64([2])]), g.i64([1, 1, ff])]), g.i64([-1, E * ff])]);
  if (!moe.shared) return units;
  const shape = g.op('Concat', [g.op('Shape', [dense], { start: attr.i(0), end: attr.i(1) }), g.i64([moe.shared.ff])], { axis: attr.i(0) });
  return g.op('Concat', [units, g.op('Expand', [g.f32([1], true), shape])], { axis: attr.i(1) });
}

/**
 * Each unit of post [N*T, F] times its coefficient: its expert's weight (0 when not routed), the
 * shared gate for shared units. As [N*T, E, expertFf] * [N*T, E, 1], so no [N*T, F] coefficient
 * tensor is built.
 */
export function applyRouting(c: BuildContext, post: string, r: Routing): string {
  const { g, spec } = c;
  const moe = spec.moe;
  if (!moe) throw new Error('applyRouting: not a mixture-of-experts model');
  const { experts: E, expertFf: ff } = moe;
  const routedPart = moe.shared ? g.op('Slice', [post, g.i64([0]), g.i64([E * ff]), g.i64([1])]) : post;
  const byExpert = g.op('Mul', [g.op('Reshape', [routedPart, g.i64([-1, E, ff])]), g.op('Unsqueeze', [r.dense, g.i64([2])])]);
  const routed = g.op('Reshape', [byExpert, g.i64([-1, E * ff])]);
  if (!moe.shared) return routed;
  const sharedUnits = g.op('Slice', [post, g.i64([E * ff]), g.i64([spec.dFf]), g.i64([1])]);
  return g.op('Concat', [routed, r.sharedGate ? g.op('Mul', [sharedUnits, r.sharedGate]) : sharedUnits], { axis: attr.i(1) });
}

export interface MlpResult {
  /** pre-activation (the gate's for gated FFNs) [N*T, F] */
  pre: string;
  /** the neuron after the edit [N*T, F]; with a mixture of experts, before its routing coefficient */
  post: string;
  out: string;
  /** mixture of experts only */
  routing?: Routing;
}

export function mlp(c: BuildContext, h: string, layer: number, edit?: NeuronEdit): MlpResult {
  const { g, spec } = c;
  const n = W.layer(layer);
  // mixture of experts: every expert's units are computed for every token (one Gemm over all of
  // them) and W_out reads each unit times its routing coefficient (0 when its expert is not chosen)
  const routing = spec.moe ? route(c, h, layer, edit) : undefined;
  const weighted = (p: string): string => (routing ? applyRouting(c, p, routing) : p);
  const inp = linear(c, h, n.mlpIn, n.mlpInBias);
  const pre = spec.gated ? linear(c, h, n.mlpGate) : inp;
  let post = activation(c, pre, spec.activation);
  if (spec.gated) post = g.op('Mul', [post, inp]);
  if (edit) {
    // rows of [N*T, F] are (c, b, t) in that order, so [C, B*T, F] lines each condition up
    // with its [1, F] slice of scale and shift
    const byCond = g.op('Reshape', [post, g.op('Concat', [g.i64([-1]), c.BT1, g.i64([spec.dFf])], { axis: attr.i(0) })]);
    const layerIdx = g.i64([layer]);
    const sc = g.op('Gather', [edit.scale, layerIdx], { axis: attr.i(1) }); // [C|1, 1, F]
    const sh = g.op('Gather', [edit.shift, layerIdx], { axis: attr.i(1) });
    let edited = g.op('Add', [g.op('Mul', [byCond, sc]), sh]);
    if (edit.resampleMask && edit.tokenShift) {
      const mask = g.op('Gather', [edit.resampleMask, layerIdx], { axis: attr.i(1) }); // [C|1, 1, F]
      const perToken = g.op('Transpose', [g.op('Gather', [edit.tokenShift, layerIdx], { axis: attr.i(1) })], { perm: attr.ints([1, 0, 2]) }); // [1, B*T, F]
      edited = g.op('Add', [edited, g.op('Mul', [mask, perToken])]);
    }
    post = g.op('Reshape', [edited, g.i64([-1, spec.dFf])]);
    if (edit.weightNeuron && edit.weightDelta) {
      // post @ (W_out + sum_e e_{neuron_e} delta_e^T) = post @ W_out + sum_e post[:, neuron_e] delta_e:
      // gather the E edited neurons of each condition, [C, B*T, E], and one batched MatMul with
      // the deltas [C|1, E, D]: O(B*T*E*D) beside the FFN's O(B*T*F*D)
      const at = g.i64([layer], true);
      const idx = g.op('Unsqueeze', [g.op('Gather', [edit.weightNeuron, at], { axis: attr.i(1) }), g.i64([1])]); // [C|1, 1, E]
      const lead = g.op('Concat', [g.op('Shape', [edited], { start: attr.i(0), end: attr.i(2) }), g.i64([1])], { axis: attr.i(0) }); // [C, B*T, 1]
      const read = weighted(post);
      const readByCond = routing ? g.op('Reshape', [read, g.op('Shape', [edited])]) : edited;
      const picked = g.op('GatherElements', [readByCond, g.op('Expand', [idx, lead])], { axis: attr.i(2) }); // [C, B*T, E]
      const delta = g.op('Gather', [edit.weightDelta, at], { axis: attr.i(1) }); // [C|1, E, D]
      const extra = g.op('Reshape', [g.op('MatMul', [picked, delta]), g.i64([-1, spec.dModel])]);
      return { pre, post, out: g.op('Add', [linear(c, read, n.mlpOut, n.mlpOutBias), extra]), ...(routing ? { routing } : {}) };
    }
  }
  return { pre, post, out: linear(c, weighted(post), n.mlpOut, n.mlpOutBias), ...(routing ? { routing } : {}) };
}
