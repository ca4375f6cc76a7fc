// Builds the instrumented ONNX graph of a LoadedModel: the transformer from its canonical weights,
// the neuron edit inputs, and the heads chosen by GraphOptions.
//
// Shape conventions (B sequences of T tokens, L layers, F neurons per layer, D model width):
// - input_ids int64 [B, T]; positions are 0..T-1 in every sequence (no padding, causal only).
// - With `conditions`, inputs scale and shift float [C|1, L, F] and C = the larger of their first
//   dims. The batch runs once per condition: the effective batch is N = C*B, row n = c*B + b, so
//   condition c's results are rows [c*B, (c+1)*B) of every [N, ...] output. Every layer's neuron
//   becomes post * scale[c, l, :] + shift[c, l, :] (scale 0, shift m = replace by m). Without
//   `conditions`, N = B. With `resample`, inputs resample_mask [C|1, L, F] and token_shift
//   [B*T, L, F] add resample_mask[c, l, :] * token_shift[b*T + t, l, :] at every token (scale 0,
//   mask 1 = replace by a value that differs from token to token). With `weightEdits`, inputs
//   wedit_neuron int64 [C|1, L, E] and wedit_delta float [C|1, L, E, D] change single weights of
//   W_out per condition: layer l's FFN output becomes post @ W_out (+ bias) + sum_e
//   post[:, wedit_neuron[c, l, e]] * wedit_delta[c, l, e, :], i.e. neuron f's output row (W_out's
//   column f as stored, [D, F]) changes by delta (zeroing W_out[f -> d]: delta = -W_out[d, f] e_d;
//   unused slots: delta 0). E is a free dimension (at least 1), the same for every layer.
// - Flat token index: n*T + t over the N rows (condition 0: b*T + t).
// - Outputs: logits [N, T, V]; last_logits [N, V]; nll [N, T] (input targets int64 [B, T],
//   -1 = ignored -> 0); kl [N, T] = KL(condition 0 || row's condition) at the same (b, t);
//   top1 int64 [N, T] = argmax of the logits;
//   stats over condition 0's B*T tokens: stats_count int64 [L], stats_sum/_sumsq/_min/_max float
//   [L, F], stats_fire_count int64 [L, F] (post > input threshold, float scalar []; |post| > threshold
//   with `fireOnMagnitude`); with
//   `moments`, stats_sum_abs/_sum3/_sum4 [L, F]; stats_active_count int64 [L, m]: per counted
//   token (m of them), how many of the layer's neurons fired; with `tokenMask`, only tokens whose token_mask
//   float [B, T] is 1 are counted (stats_count is then the number of those tokens);
//   topk_values [L, k', F] and topk_indices int64 [L, k', F] (flat index b*T+t, k' = min(k, B*T);
//   masked tokens take the value -inf, so with fewer counted tokens than k the tail is -inf);
//   with `residTopK`, over the same counted tokens of condition 0, per layer and residual dim the
//   k' largest |resid_post|: resid_topk_abs [L, k', D], resid_topk_values [L, k', D] (signed, at
//   the same tokens) and resid_topk_indices int64 [L, k', D] (masked tokens: |x| = -inf);
//   hidden_resid [L, P, D] and hidden_post [L, P, F] at input positions int64 [P] (flat indices
//   n*T + t); taps blocks.{i}.mlp.pre / blocks.{i}.mlp.post [N, T, F], blocks.{i}.resid_post [N, T, D].
// - "post" is the neuron after the edit, as W_out reads it; for gated FFNs "pre" is the gate's
//   pre-activation and post = act(gate) * up.
// - Mixture of experts (spec.moe): F = experts * expertFf (+ shared units); neuron j * expertFf + u
//   is unit u of expert j. Every unit is computed for every token (one Gemm over all experts), and
//   "post" is the unit's value before its routing coefficient; W_out reads post * coef, coef =
//   the weight of the unit's expert after the family's rule (0 when not chosen), for shared units
//   sigmoid(shared_gate(x)). So edits (scale/shift, resample, weight edits) act inside experts, and
//   an edited unit only contributes where its expert is routed. With `router`: router_probs
//   [L, N*T, E], router_experts int64 [L, N*T, k], router_weights [L, N*T, k] (every row). With
//   `expertEdits`: inputs expert_unrouted [C|1, L, E] (1: router logit -inf before the rule) and
//   expert_scale [C|1, L, E] (multiplies the expert's weight after the rule; 0: output zeroed).
//   The stats and topK heads count, for each unit, only the tokens routed to its expert (shared
//   units: every token), and stats_active_count only routed units; stats_unit_count int64 [L, F]
//   gives each unit's token count (stats_count stays the layer's). hidden_post is 0 for a unit
//   whose expert the token is not routed to (the sampled states feed the selectivity verdicts and
//   the manifold, which should see what the unit contributes); the taps keep every unit's value.

import { type LoadedModel } from '../spec.js';
import { attentionCached, causalMask, embed, type KeysValues, mlp, type NeuronEdit, norm, type PastKeysValues, rotaryInit, routedUnits, type Routing, slidingMask } from './blocks.js';
import { type BuildContext, makeContext, type Precision } from './context.js';
import { attr, type ExternalDataPolicy, Graph, type SideFile } from './graph.js';
import { condition0, kl, layerAbsTopK, layerStats, layerTopK, nll, stack, unembed } from './heads.js';
import { join } from './protobuf.js';
import { W } from '../spec.js';

/** Bump when the graph changes for the same options, so cached graphs are rebuilt. */
export const BUILDER_VERSION = 11; // 11: KV-cache graphs read the cache from buffers of a capacity and return only this run's keys and values; 10: every GGUF block type as MatMulNBits (+ block sums @ offsets); 9: F16/BF16 weights kept as 16-bit initializers, cast at use

export interface GraphOptions {
  /** adds inputs scale and shift [C|1, L, F] and the condition axis */
  conditions?: boolean;
  /**
   * with conditions, resample ablation: inputs resample_mask [C|1, L, F] and token_shift
   * [B*T, L, F]; a masked neuron of condition c at token (b, t) adds token_shift[b*T + t]
   */
  resample?: boolean;
  /**
   * with conditions, single-weight edits of W_out: inputs wedit_neuron int64 [C|1, L, E] and
   * wedit_delta [C|1, L, E, D] (see the header)
   */
  weightEdits?: boolean;
  /** 'all': logits [N, T, V]; 'last': last_logits [N, V] only (cheapest for generation) */
  logits?: 'all' | 'last';
  /** per-token NLL of the input targets */
  nll?: boolean;
  /** KL to condition 0; needs `conditions` */
  kl?: boolean;
  /** top1 int64 [N, T]: the most likely next token at each position (for top-1 agreement) */
  top1?: boolean;
  /** per-neuron statistics of condition 0 (input threshold) */
  stats?: boolean;
  /** with stats: also sum |x|, sum x^3, sum x^4 (mean |act| and a mergeable kurtosis) */
  moments?: boolean;
  /** with stats: a token fires a neuron when |post| > threshold (default: post > threshold) */
  fireOnMagnitude?: boolean;
  /**
   * stats and topK count only tokens whose input token_mask float [B, T] is 1 (0: padding, or
   * context repeated from an overlapping window)
   */
  tokenMask?: boolean;
  /** top-k tokens per neuron of condition 0; 0 or absent: off */
  topK?: number;
  /**
   * top-k tokens by |resid_post| per layer and residual dim of condition 0 (massive activations,
   * Sun et al. 2024); 0 or absent: off. Honours tokenMask like stats and topK.
   */
  residTopK?: number;
  /** residual stream and neurons at requested flat positions (input positions) */
  hidden?: boolean;
  /**
   * with hidden: position_nll [P], the NLL of the input targets at the hidden positions only (the
   * final norm and unembedding of P rows instead of every token's: a capture's samples need no
   * other loss); targets int64 [B, T] as for nll
   */
  positionNll?: boolean;
  /**
   * generation with a KV cache (needs logits 'last'; nll and the edit inputs besides: the prompt's
   * run of the playground gives its loss and its cache at once; targets stay [N/C, T]). The cache
   * stays in the caller's buffers (runtime/kv-buffers.ts): inputs past_key.{i} / past_value.{i}
   * float [N, Hkv, capacity, headDim] per layer whose first P positions hold the tokens before
   * (keys after the rotary), past_length int64 [1] = P (0 for the prompt); outputs new_key.{i} /
   * new_value.{i} [N, Hkv, T, headDim], this run's T positions (P..P+T-1), for the caller to append.
   * Only they leave the graph: onnxruntime-node copies every output into a new JS buffer, so
   * returning the whole cache cost more than a generation step of the demo model. input_ids is
   * [N, T], every row of every condition (not tiled: each condition's continuation differs),
   * rows condition-major as everywhere.
   */
  kvCache?: boolean;
  /** layers whose full pre/post/resid_post taps are outputs */
  taps?: readonly number[];
  /** rows of the rotary tables (the longest T the graph accepts); default spec.maxPositions */
  maxSeqLen?: number;
  /**
   * F16 / BF16 weights as fp32 initializers (twice their memory; the Gemms pre-pack them) instead
   * of 16-bit initializers cast at each use (graph/context.ts); default false
   */
  fp32Weights?: boolean;
  /**
   * 'fp16': the weight matrix products run in float16 (graph/context.ts Precision), for GPU
   * providers; activations, taps and statistics stay fp32. Default 'fp32'
   */
  precision?: Precision;
  /**
   * mixture of experts: router_probs [L, N*T, E] (the family's probabilities before top-k),
   * router_experts int64 [L, N*T, k] (by descending weight) and router_weights [L, N*T, k] (after
   * the family's rule), every row of every condition
   */
  router?: boolean;
  /**
   * mixture of experts, with conditions: whole-expert edits, inputs expert_unrouted [C|1, L, E]
   * (1: the expert's router logit is -inf before the rule) and expert_scale [C|1, L, E] (multiplies
   * the expert's routing weight after the rule: 0 zeroes its output, routing unchanged)
   */
  expertEdits?: boolean;
}

export interface BuildOutput {
  model: Uint8Array;
  /** weights in a side file: write `data` to `location` beside the model file */
  external?: { location: string; data: SideFile };
  /** node counts by op type */
  opCounts: Map<string, number>;
}

export const hook = {
  pre: (i: number) => `blocks.${i}.mlp.pre`,
  post: (i: number) => `blocks.${i}.mlp.post`,
  residPost: (i: number) => `blocks.${i}.resid_post`,
};

/** The options that change the graph, in a canonical string (for cache keys). */
export function graphKey(o: GraphOptions): string {
  const taps = [...new Set(o.taps ?? [])].sort((a, b) => a - b);
  return JSON.stringify({
    v: BUILDER_VERSION,
    conditions: o.conditions ?? false,
    resample: o.resample ?? false,
    weightEdits: o.weightEdits ?? false,
    logits: o.logits ?? null,
    nll: o.nll ?? false,
    kl: o.kl ?? false,
    top1: o.top1 ?? false,
    stats: o.stats ?? false,
    moments: o.moments ?? false,
    fireOnMagnitude: o.fireOnMagnitude ?? false,
    tokenMask: o.tokenMask ?? false,
    topK: o.topK ?? 0,
    residTopK: o.residTopK ?? 0,
    hidden: o.hidden ?? false,
    taps,
    maxSeqLen: o.maxSeqLen ?? null,
    fp32Weights: o.fp32Weights ?? false,
    ...(o.precision === 'fp16' ? { precision: 'fp16' } : {}),
    ...(o.router ? { router: true } : {}),
    ...(o.expertEdits ? { expertEdits: true } : {}),
    ...(o.kvCache ? { kvCache: true } : {}),
    ...(o.positionNll ? { positionNll: true } : {}),
  });
}

function validate(model: LoadedModel, o: GraphOptions): void {
  const L = model.spec.nLayers;
  if (o.kl && !o.conditions) throw new Error('buildGraph: kl compares conditions; set conditions: true');
  if (o.resample && !o.conditions) throw new Error('buildGraph: resample edits conditions; set conditions: true');
  if (o.weightEdits && !o.conditions) throw new Error('buildGraph: weightEdits edit conditions; set conditions: true');
  if (o.moments && !o.stats) throw new Error('buildGraph: moments extend the stats head; set stats: true');
  if ((o.router || o.expertEdits) && !model.spec.moe) throw new Error(`buildGraph: router and expertEdits need a mixture-of-experts model; ${model.spec.architecture} is dense`);
  if (o.expertEdits && !o.conditions) throw new Error('buildGraph: expertEdits edit conditions; set conditions: true');
  if (o.fireOnMagnitude && !o.stats) throw new Error('buildGraph: fireOnMagnitude changes the stats head; set stats: true');
  if (o.tokenMask && !o.stats && !(o.topK ?? 0) && !(o.residTopK ?? 0)) throw new Error('buildGraph: tokenMask selects tokens for stats, topK or residTopK; set one of them');
  for (const t of o.taps ?? []) {
    if (!Number.isInteger(t) || t < 0 || t >= L) throw new Error(`buildGraph: tap layer ${t} is not in 0..${L - 1}`);
  }
  if (o.topK !== undefined && (!Number.isInteger(o.topK) || o.topK < 0)) throw new Error(`buildGraph: topK must be a non-negative integer, got ${o.topK}`);
  if (o.residTopK !== undefined && (!Number.isInteger(o.residTopK) || o.residTopK < 0)) throw new Error(`buildGraph: residTopK must be a non-negative integer, got ${o.residTopK}`);
  if (o.positionNll && !o.hidden) throw new Error('buildGraph: positionNll is the loss at the hidden positions; set hidden: true');
  if (o.positionNll && o.nll) throw new Error('buildGraph: positionNll and nll both read the input targets; choose one');
  if (o.kvCache) {
    if (o.logits !== 'last') throw new Error("buildGraph: kvCache is for generation; set logits: 'last'");
    const other = (['kl', 'top1', 'stats', 'topK', 'residTopK', 'hidden', 'positionNll', 'resample', 'router', 'tokenMask'] as const).filter((k) => Boolean(o[k]));
    if ((o.taps ?? []).length > 0) other.push('taps' as never);
    if (other.length > 0) throw new Error(`buildGraph: kvCache graphs give last_logits (and nll) only; drop ${other.join(', ')}`);
  }
  const { nHeads, nKvHeads } = model.spec;
  if (nHeads % nKvHeads !== 0) throw new Error(`buildGraph: nHeads ${nHeads} is not a multiple of nKvHeads ${nKvHeads}`);
}

interface LayerValues {
  pre: string;
  post: string;
  resid: string;
  routing?: Routing;
}

/** A KV cache's per-layer inputs (the past) and what each layer appends. */
interface KvCache {
  past: PastKeysValues[];
  added: KeysValues[];
}

/** The past_key.{i} / past_value.{i} buffers of every layer and past_length, the positions they hold. */
function kvInputs(c: BuildContext): KvCache {
  const { g, spec } = c;
  const dims = ['rows', spec.nKvHeads, 'capacity', spec.headDim] as const;
  const P1 = g.input('past_length', 'int64', [1]);
  const length = { P1, P: g.op('Squeeze', [P1, g.i64([0])]) };
  const past = Array.from({ length: spec.nLayers }, (_, i) => ({ kv: { key: g.input(`past_key.${i}`, 'float32', dims), value: g.input(`past_value.${i}`, 'float32', dims) }, length }));
  return { past, added: [] };
}

/** The blocks up to and including layer `last`; returns each layer's 2-D values. */
function blocks(c: BuildContext, ids: string, last: number, maxSeqLen: number, edit?: NeuronEdit, kv?: KvCache): LayerValues[] {
  const { g, spec } = c;
  const past = kv?.past[0]?.length;
  const rt = spec.positional.kind === 'rotary' ? rotaryInit(c, spec.positional, maxSeqLen, 'rotary', past) : undefined;
  // Gemma 3: the sliding-window layers rotate with their own base frequency
  const local = spec.localPositional;
  const rtLocal = local?.kind === 'rotary' ? rotaryInit(c, local, maxSeqLen, 'rotary_local', past) : rt;
  const mask = causalMask(c, past);
  const sw = spec.slidingWindow;
  const windowMask = sw ? slidingMask(c, mask, sw.size, past) : mask;
  let x = embed(c, ids, past);
  const out: LayerValues[] = [];
  for (let i = 0; i <= last; i++) {
    const n = W.layer(i);
    const isLocal = sw?.layers[i] === true;
    const att = attentionCached(c, norm(c, x, n.norm1Weight, n.norm1Bias), i, isLocal ? windowMask : mask, isLocal ? rtLocal : rt, kv?.past[i]);
    kv?.added.push(att.added);
    let a = att.out;
    // Gemma's sandwich norms: the attention and FFN outputs are normed before the residual add
    // (the neuron, pre and post, is unchanged; resid_post is still the block's output)
    if (spec.postNorms) a = norm(c, a, n.postAttnNorm, '');
    const ffnOut = (o: string): string => (spec.postNorms ? norm(c, o, n.postMlpNorm, '') : o);
    let m;
    if (spec.parallelResidual) {
      m = mlp(c, norm(c, x, n.norm2Weight, n.norm2Bias), i, edit);
      x = g.op('Add', [g.op('Add', [x, a]), ffnOut(m.out)]);
    } else {
      const mid = g.op('Add', [x, a]);
      m = mlp(c, norm(c, mid, n.norm2Weight, n.norm2Bias), i, edit);
      x = g.op('Add', [mid, ffnOut(m.out)]);
    }
    out.push({ pre: m.pre, post: m.post, resid: x, ...(m.routing ? { routing: m.routing } : {}) });
  }
  return out;
}

export function buildGraph(model: LoadedModel, options: GraphOptions, external?: ExternalDataPolicy): BuildOutput {
  validate(model, options);
  const { spec } = model;
  const { nLayers: L, dFf: F, dModel: D, vocabSize: V } = spec;
  const g = new Graph(`ffn-lab ${spec.architecture}`);
  const idsIn = g.input('input_ids', 'int64', ['batch', 'seq']);

  // The condition axis: tile a [B, T] input to [C*B, T] (condition-major rows).
  let edit: NeuronEdit | undefined;
  let tile = (v: string): string => v;
  // with a KV cache input_ids already holds every condition's rows: a condition has N / C of them
  let conditionRows: string | undefined;
  if (options.conditions) {
    edit = { scale: g.input('scale', 'float32', ['conditions', L, F]), shift: g.input('shift', 'float32', ['conditions', L, F]) };
    if (options.resample) {
      edit.resampleMask = g.input('resample_mask', 'float32', ['conditions', L, F]);
      edit.tokenShift = g.input('token_shift', 'float32', ['tokens', L, F]);
    }
    if (options.weightEdits) {
      edit.weightNeuron = g.input('wedit_neuron', 'int64', ['conditions', L, 'weight_edits']);
      edit.weightDelta = g.input('wedit_delta', 'float32', ['conditions', L, 'weight_edits', D]);
    }
    if (options.expertEdits && spec.moe) {
      edit.expertUnrouted = g.input('expert_unrouted', 'float32', ['conditions', L, spec.moe.experts]);
      edit.expertScale = g.input('expert_scale', 'float32', ['conditions', L, spec.moe.experts]);
    }
    const dim0 = (v: string): string => g.op('Shape', [v], { start: attr.i(0), end: attr.i(1) });
    const counts = [edit.scale, edit.shift, ...(edit.weightNeuron && edit.weightDelta ? [edit.weightNeuron, edit.weightDelta] : []), ...(edit.expertUnrouted && edit.expertScale ? [edit.expertUnrouted, edit.expertScale] : [])].map(dim0);
    const C = g.op('Max', counts, undefined, 'condition_count');
    if (options.kvCache) conditionRows = g.op('Div', [dim0(idsIn), C]);
    const reps = g.op('Concat', [C, g.i64([1, 1])], { axis: attr.i(0) });
    tile = (v) => {
      const seqLen = g.op('Shape', [v], { start: attr.i(1), end: attr.i(2) });
      const expanded = g.op('Expand', [g.op('Unsqueeze', [v, g.i64([0])]), reps]);
      return g.op('Reshape', [expanded, g.op('Concat', [g.i64([-1]), seqLen], { axis: attr.i(0) })]);
    };
  }
  const c = makeContext(model, g, idsIn, { fp32Weights: options.fp32Weights ?? false, precision: options.precision ?? 'fp32', ...(conditionRows ? { conditionRows } : {}) });
  const ids = options.kvCache ? idsIn : tile(idsIn);
  const kv = options.kvCache ? kvInputs(c) : undefined;

  const needsAll = options.logits !== undefined || options.positionNll || options.nll || options.kl || options.top1 || options.stats || (options.topK ?? 0) > 0 || (options.residTopK ?? 0) > 0 || options.hidden || options.router;
  const taps = [...new Set(options.taps ?? [])];
  if (!needsAll && taps.length === 0) throw new Error('buildGraph: no output selected (logits, nll, kl, top1, stats, topK, residTopK, hidden or taps)');
  const last = needsAll ? L - 1 : Math.max(...taps);
  const layers = blocks(c, ids, last, options.maxSeqLen ?? spec.maxPositions, edit, kv);
  kv?.added.forEach((p, i) => {
    const dims = ['rows', spec.nKvHeads, 'seq', spec.headDim] as const;
    g.output(p.key, `new_key.${i}`, 'float32', dims);
    g.output(p.value, `new_value.${i}`, 'float32', dims);
  });
  const finalResid = layers[layers.length - 1]?.resid as string;

  // Logit heads. The unembedding is built only when a head needs it.
  const fullLogits = options.logits === 'all' || options.nll || options.kl || options.top1;
  if (fullLogits) {
    const logits = g.op('Reshape', [unembed(c, finalResid), g.op('Concat', [g.i64([-1]), c.T1, g.i64([V])], { axis: attr.i(0) })]);
    if (options.logits === 'all') g.output(logits, 'logits', 'float32', ['rows', 'seq', V]);
    if (options.logits === 'last') g.output(g.op('Gather', [logits, g.op('Sub', [c.T, g.i64([1], true)])], { axis: attr.i(1) }), 'last_logits', 'float32', ['rows', V]);
    const logp = options.nll || options.kl ? g.op('LogSoftmax', [logits], { axis: attr.i(-1) }) : '';
    if (options.nll) {
      const targets = g.input('targets', 'int64', ['batch', 'seq']);
      g.output(nll(c, logp, tile(targets)), 'nll', 'float32', ['rows', 'seq']);
    }
    if (options.kl) g.output(kl(c, logp), 'kl', 'float32', ['rows', 'seq']);
    if (options.top1) g.output(g.op('ArgMax', [logits], { axis: attr.i(-1), keepdims: attr.i(0) }), 'top1', 'int64', ['rows', 'seq']);
  } else if (options.logits === 'last') {
    // only the last position is unembedded: [N, D] -> [N, V]
    const h3 = g.op('Reshape', [finalResid, g.op('Concat', [g.i64([-1]), c.T1, g.i64([D])], { axis: attr.i(0) })]);
    const lastH = g.op('Gather', [h3, g.op('Sub', [c.T, g.i64([1], true)])], { axis: attr.i(1) });
    g.output(unembed(c, lastH), 'last_logits', 'float32', ['rows', V]);
  }

  // Statistics describe condition 0; without conditions that is every row, and no copy is needed.
  const ofCondition0 = layers.map((l) => (options.stats || (options.topK ?? 0) > 0 ? (options.conditions ? condition0(c, l.post) : l.post) : ''));
  // [B*T, 1] of 1 (counted) / 0, or none
  const mask = options.tokenMask ? g.op('Reshape', [g.input('token_mask', 'float32', ['batch', 'seq']), g.i64([-1, 1])]) : undefined;
  // mixture of experts: a unit's statistics and top tokens count only the tokens routed to its expert
  const unitMasks = layers.map((l) => (l.routing && (options.stats || (options.topK ?? 0) > 0) ? routedUnits(c, options.conditions ? condition0(c, l.routing.dense) : l.routing.dense) : undefined));
  if (options.stats) {
    const threshold = g.input('threshold', 'float32', []);
    const per = ofCondition0.map((x0, i) => layerStats(c, x0, threshold, mask, options.moments ?? false, options.fireOnMagnitude ?? false, unitMasks[i]));
    if (spec.moe) g.output(g.op('Cast', [stack(c, per.map((s) => s.unitCount as string))], { to: attr.i(7) }), 'stats_unit_count', 'int64', [L, F]);
    const counted = mask ? g.op('Cast', [g.op('ReduceSum', [mask], { keepdims: attr.i(0) })], { to: attr.i(7) }) : g.op('Squeeze', [c.BT1, g.i64([0])]);
    g.output(g.op('Expand', [g.op('Unsqueeze', [counted, g.i64([0])]), g.i64([L])]), 'stats_count', 'int64', [L]);
    g.output(stack(c, per.map((s) => s.sum)), 'stats_sum', 'float32', [L, F]);
    g.output(stack(c, per.map((s) => s.sumsq)), 'stats_sumsq', 'float32', [L, F]);
    g.output(stack(c, per.map((s) => s.min)), 'stats_min', 'float32', [L, F]);
    g.output(stack(c, per.map((s) => s.max)), 'stats_max', 'float32', [L, F]);
    const fire = g.op('Cast', [stack(c, per.map((s) => s.fire))], { to: attr.i(7) }); // exact below 2^24 tokens
    g.output(fire, 'stats_fire_count', 'int64', [L, F]);
    const active = stack(c, per.map((s) => g.op('Unsqueeze', [s.active, g.i64([0])])));
    g.output(g.op('Cast', [active], { to: attr.i(7) }), 'stats_active_count', 'int64', [L, 'counted_tokens']);
    if (options.moments) {
      g.output(stack(c, per.map((s) => s.sumAbs as string)), 'stats_sum_abs', 'float32', [L, F]);
      g.output(stack(c, per.map((s) => s.sum3 as string)), 'stats_sum3', 'float32', [L, F]);
      g.output(stack(c, per.map((s) => s.sum4 as string)), 'stats_sum4', 'float32', [L, F]);
    }
  }
  if ((options.topK ?? 0) > 0) {
    const per = ofCondition0.map((x0, i) => {
      const u = unitMasks[i];
      return layerTopK(c, x0, options.topK as number, u ? (mask ? g.op('Mul', [mask, u]) : u) : mask);
    });
    g.output(stack(c, per.map((t) => t.values)), 'topk_values', 'float32', [L, 'k', F]);
    g.output(stack(c, per.map((t) => t.indices)), 'topk_indices', 'int64', [L, 'k', F]);
  }
  if ((options.residTopK ?? 0) > 0) {
    const per = layers.map((l) => layerAbsTopK(c, options.conditions ? condition0(c, l.resid) : l.resid, options.residTopK as number, mask));
    g.output(stack(c, per.map((t) => t.abs)), 'resid_topk_abs', 'float32', [L, 'k', D]);
    g.output(stack(c, per.map((t) => t.values)), 'resid_topk_values', 'float32', [L, 'k', D]);
    g.output(stack(c, per.map((t) => t.indices)), 'resid_topk_indices', 'int64', [L, 'k', D]);
  }
  if (options.hidden) {
    const positions = g.input('positions', 'int64', ['positions']);
    const at = (v: string): string => g.op('Unsqueeze', [g.op('Gather', [v, positions], { axis: attr.i(0) }), g.i64([0])]);
    g.output(stack(c, layers.map((l) => at(l.resid))), 'hidden_resid', 'float32', [L, 'positions', D]);
    // mixture of experts: a unit whose expert the token is not routed to contributes nothing there: 0
    const sampledPost = (l: LayerValues): string => {
      if (!l.routing) return at(l.post);
      const pick = (v: string): string => g.op('Gather', [v, positions], { axis: attr.i(0) });
      return g.op('Unsqueeze', [g.op('Mul', [pick(l.post), routedUnits(c, pick(l.routing.dense))]), g.i64([0])]);
    };
    g.output(stack(c, layers.map(sampledPost)), 'hidden_post', 'float32', [L, 'positions', F]);
    if (options.positionNll) {
      // [1, P, V] log-probabilities of the P rows against their targets [1, P], by the same nll head
      const logp = g.op('LogSoftmax', [g.op('Unsqueeze', [unembed(c, g.op('Gather', [finalResid, positions], { axis: attr.i(0) })), g.i64([0])])], { axis: attr.i(-1) });
      const targets = g.op('Gather', [g.op('Reshape', [tile(g.input('targets', 'int64', ['batch', 'seq'])), g.i64([-1])]), positions], { axis: attr.i(0) });
      g.output(g.op('Squeeze', [nll(c, logp, g.op('Unsqueeze', [targets, g.i64([0])])), g.i64([0])]), 'position_nll', 'float32', ['positions']);
    }
  }
  if (options.router && spec.moe) {
    const { experts: E, topK: k } = spec.moe;
    const each = (pick: (r: Routing) => string): string => stack(c, layers.map((l) => g.op('Unsqueeze', [pick(l.routing as Routing), g.i64([0])])));
    g.output(each((r) => r.probs), 'router_probs', 'float32', [L, 'rows_tokens', E]);
    g.output(each((r) => r.experts), 'router_experts', 'int64', [L, 'rows_tokens', k]);
    g.output(each((r) => r.weights), 'router_weights', 'float32', [L, 'rows_tokens', k]);
  }
  for (const i of taps) {
    const l = layers[i] as LayerValues;
    const to3d = (v: string, width: number): string =>
      g.op('Reshape', [v, g.op('Concat', [g.i64([-1]), c.T1, g.i64([width])], { axis: attr.i(0) })]);
    g.output(to3d(l.pre, F), hook.pre(i), 'float32', ['rows', 'seq', F]);
    g.output(to3d(l.post, F), hook.post(i), 'float32', ['rows', 'seq', F]);
    g.output(to3d(l.resid, D), hook.residPost(i), 'float32', ['rows', 'seq', D]);
  }

  const enc = g.encode(external ?? { mode: 'never', location: 'weights.bin' }, graphKey(options));
  return { model: join(enc.model), ...(enc.external ? { external: enc.external } : {}), opCounts: g.opCounts() };
}
