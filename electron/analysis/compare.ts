// Comparing models on the same text: which captures may be compared (they read the same text),
// layers aligned by relative depth, and per model and layer the statistics that say how the FFN is
// used (parameter accounting, fire-rate distribution, dynamic sparsity, verdict fractions, massive
// activations, intrinsic dimension, layer sensitivity), plus FLOPs per token. Pure: the I/O that
// gathers the inputs is electron/compare.ts; the verdicts come from detectors.ts, not re-judged here.
import type { StatsSummary } from './neuron-stats.js';
import type { Verdict, VerdictKind } from './detectors.js';

// ---- which captures share text ----------------------------------------------------------------

/**
 * What a capture records about the text it read, resolved: the corpus, the documents its filter
 * selects (in corpus order) and where it stopped. Two captures read "the same text" when the
 * corpus is the same, the selected documents are the same in the same order, and they cover the
 * same part of them: whole documents in both, or both cut after the same number of tokens of the
 * same tokenizer (a token budget of two different tokenizers ends at different places in the text).
 */
export interface CaptureText {
  /** how the capture is named in messages, e.g. `capture 3 "gpt2 on brown"` */
  label: string;
  corpusId: number;
  corpusName: string;
  /** null: the capture does not record one selection (a merge of several captures) */
  documents: { ids: readonly number[]; names: readonly string[] } | null;
  /** the token budget that cut the text, or null when every selected document was read whole */
  cutAfterTokens: number | null;
  /** the first N tokens read of each document (filter.tokensPerDocument); absent or null: whole documents */
  tokensPerDocument?: number | null;
  /** identifies the tokenizer (a hash of its file); only compared when a budget cut the text */
  tokenizer: string;
  /** the rule that counts a neuron as firing: fire rates only compare under the same rule */
  fire: { mode: 'positive' | 'magnitude'; threshold: number };
}

/**
 * The token budget that actually cut a capture's text: maxTokens when the capture counted that many
 * tokens (it stopped there), null when it counted fewer (every document was read whole).
 */
export function effectiveCut(maxTokens: number | null | undefined, tokensCounted: number): number | null {
  return maxTokens !== null && maxTokens !== undefined && tokensCounted >= maxTokens ? maxTokens : null;
}

/** Why `other` cannot be compared with `ref` (null when it can): the first difference found, in words. */
export function textMismatch(ref: CaptureText, other: CaptureText): string | null {
  if (ref.documents === null) return `${ref.label} is a merge of several captures: the documents it covers are not recorded as one selection, so no other capture can be shown to share its text (compare its source captures instead)`;
  if (other.documents === null) return `${other.label} is a merge of several captures: the documents it covers are not recorded as one selection (compare its source captures instead)`;
  if (other.corpusId !== ref.corpusId) return `${other.label} read corpus "${other.corpusName}" (id ${other.corpusId}), not "${ref.corpusName}" (id ${ref.corpusId}) as ${ref.label} did`;
  const a = ref.documents;
  const b = other.documents;
  if (a.ids.length !== b.ids.length || a.ids.some((id, i) => b.ids[i] !== id)) {
    const inB = new Set(b.ids);
    const inA = new Set(a.ids);
    const onlyA = a.ids.findIndex((id) => !inB.has(id));
    const onlyB = b.ids.findIndex((id) => !inA.has(id));
    const example =
      onlyA >= 0 ? `e.g. "${a.names[onlyA]}" is only in ${ref.label}` : onlyB >= 0 ? `e.g. "${b.names[onlyB]}" is only in ${other.label}` : 'the same documents in another order';
    return `${other.label} covers other documents than ${ref.label} (${b.ids.length} and ${a.ids.length} documents; ${example}); capture both with the same document selection`;
  }
  if (ref.cutAfterTokens !== other.cutAfterTokens) {
    const say = (t: CaptureText) => (t.cutAfterTokens === null ? 'reads every selected document whole' : `stops after ${t.cutAfterTokens.toLocaleString('en-US')} tokens`);
    return `${other.label} ${say(other)} but ${ref.label} ${say(ref)}: they cover different parts of the documents; capture both with the same budget, or with whole documents (--documents N) and no token budget`;
  }
  const perDoc = (t: CaptureText) => t.tokensPerDocument ?? null;
  if (perDoc(ref) !== perDoc(other)) {
    const say = (t: CaptureText) => (perDoc(t) === null ? 'reads each document whole' : `reads the first ${perDoc(t)} tokens of each document`);
    return `${other.label} ${say(other)} but ${ref.label} ${say(ref)}: they cover different parts of the documents; capture both with the same --tokens-per-document`;
  }
  if ((ref.cutAfterTokens !== null || perDoc(ref) !== null) && ref.tokenizer !== other.tokenizer) {
    const cut = ref.cutAfterTokens !== null ? `stop after ${ref.cutAfterTokens.toLocaleString('en-US')} tokens` : `read the first ${perDoc(ref)} tokens of each document`;
    return `${other.label} and ${ref.label} both ${cut}, but of different tokenizers, so they end at different places in the text; capture whole documents (--documents N, no --max-tokens) to compare models with different tokenizers`;
  }
  if (ref.fire.mode !== other.fire.mode || ref.fire.threshold !== other.fire.threshold) {
    const rule = (t: CaptureText) => `${t.fire.mode === 'positive' ? 'a' : '|a|'} > ${t.fire.threshold}`;
    return `${other.label} counts a neuron as firing when ${rule(other)}, ${ref.label} when ${rule(ref)}: fire rates under different rules do not compare; capture both with the same --threshold and --fire`;
  }
  return null;
}

/** The captures that share the first one's text, and the others with the reason each is refused. */
export function partitionByText<T extends CaptureText>(captures: readonly T[]): { kept: T[]; refused: Array<{ capture: T; reason: string }> } {
  const [ref] = captures;
  if (!ref) return { kept: [], refused: [] };
  const refused: Array<{ capture: T; reason: string }> = [];
  const kept: T[] = [];
  for (const c of captures) {
    const reason = c === ref ? (ref.documents === null ? textMismatch(ref, ref) : null) : textMismatch(ref, c);
    if (reason === null) kept.push(c);
    else refused.push({ capture: c, reason });
  }
  return { kept, refused };
}

// ---- aligning layers --------------------------------------------------------------------------

/** Layer l of L at relative depth l / (L - 1): 0 is the first block, 1 the last (a 1-layer model: 0). */
export function relativeDepth(layer: number, layers: number): number {
  if (!Number.isInteger(layers) || layers < 1) throw new RangeError(`compare: a model has at least 1 layer, got ${layers}`);
  if (!Number.isInteger(layer) || layer < 0 || layer >= layers) throw new RangeError(`compare: layer ${layer} is not in 0..${layers - 1}`);
  return layers === 1 ? 0 : layer / (layers - 1);
}

/** The layer of an L-layer model nearest to relative depth d (ties go to the shallower layer). */
export function layerAtDepth(depth: number, layers: number): number {
  if (layers === 1) return 0;
  const x = Math.min(1, Math.max(0, depth)) * (layers - 1);
  // round half down: x = 0.5 between layers 0 and 1 picks 0
  return Math.max(0, Math.ceil(x - 0.5));
}

export interface AlignedRow {
  /** a relative depth at which at least one model has a layer */
  rel_depth: number;
  /** per model (in the comparison's order): its layer exactly at this depth (null if none) and its nearest layer */
  layers: Array<{ exact: number | null; nearest: number }>;
}

/** Every relative depth that some model has a layer at, with each model's layer there or nearest to it. */
export function alignLayers(depths: readonly number[]): AlignedRow[] {
  const points = new Map<string, number>();
  for (const L of depths) for (let l = 0; l < L; l++) points.set(relativeDepth(l, L).toFixed(12), relativeDepth(l, L));
  return [...points.values()]
    .sort((a, b) => a - b)
    .map((d) => ({
      rel_depth: d,
      layers: depths.map((L) => {
        const nearest = layerAtDepth(d, L);
        return { exact: Math.abs(relativeDepth(nearest, L) - d) < 1e-9 ? nearest : null, nearest };
      }),
    }));
}

// ---- parameters and FLOPs ---------------------------------------------------------------------

/** The parts of a model's shape that parameter and FLOP accounting read (a subset of ModelSpec). */
export interface ShapeOf {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  dFf: number;
  maxPositions: number;
  gated: boolean;
  positional: { kind: 'learned'; offset: number } | { kind: 'rotary' };
  bias: { qkv: boolean; attnOut: boolean; mlp: boolean };
  tiedEmbeddings: boolean;
  /** every parameter counted once (the checkpoint's own count) */
  params: number;
  /**
   * a mixture-of-experts FFN (ModelSpec.moe): dFf = experts x expertFf + shared ff, the experts'
   * gate/up/down stacked on the unit axis, plus a router [experts, dModel] and, with a gated shared
   * expert, a shared gate [1, dModel] per layer; absent: dense
   */
  moe?: { experts: number; expertFf: number; topK: number; shared?: { ff: number; gated: boolean } };
}

export interface ParamAccounting {
  total: number;
  /** token (and learned position) embeddings, and the output head when it is not tied */
  embedding: number;
  /** q, k, v, o projections and their biases, all layers */
  attention: number;
  /** W_in (and W_gate) and W_out with their biases, all layers; for a mixture of experts every expert's, the shared expert's, the router and the shared gate */
  ffn: number;
  /** the rest: norms and anything the above do not name (total - the others) */
  other: number;
  ffn_share: number;
  ffn_per_layer: number;
  /**
   * parameters one token passes through: all of them for a dense model; for a mixture of experts
   * total - ffn + ffn_active
   */
  active: number;
  /**
   * FFN parameters one token passes through, all layers: ffn for a dense model; for a mixture of
   * experts the top-k routed experts', the shared expert's, the router and the shared gate
   */
  ffn_active: number;
}

/** Router [experts, dModel] and shared gate [1, dModel] weights of one MoE layer (0 for a dense one). */
function routingParamsPerLayer(s: ShapeOf): number {
  if (!s.moe) return 0;
  return s.moe.experts * s.dModel + (s.moe.shared?.gated ? s.dModel : 0);
}

/** FFN units of one layer a token passes through: all dFf for a dense model; topK x expertFf + the shared expert's for a mixture of experts. */
function activeUnitsPerLayer(s: ShapeOf): number {
  return s.moe ? s.moe.topK * s.moe.expertFf + (s.moe.shared?.ff ?? 0) : s.dFf;
}

/** FFN parameters of the given units of one layer: key (and gate) and value matrices, with their biases (the output bias once). */
function unitParams(s: ShapeOf, units: number): number {
  return units * s.dModel * (s.gated ? 3 : 2) + (s.bias.mlp ? units + s.dModel : 0);
}

/** FFN parameters of one layer: key (and gate) and value matrices, with their biases; for a mixture of experts every expert's, plus the router and shared gate. */
export function ffnParamsPerLayer(s: ShapeOf): number {
  return unitParams(s, s.dFf) + routingParamsPerLayer(s);
}

/** FFN parameters of one layer one token passes through: ffnParamsPerLayer for a dense model; for a mixture of experts the top-k experts', the shared expert's, the router and the shared gate. */
export function ffnActiveParamsPerLayer(s: ShapeOf): number {
  return unitParams(s, activeUnitsPerLayer(s)) + routingParamsPerLayer(s);
}

function attentionParamsPerLayer(s: ShapeOf): number {
  const q = s.nHeads * s.headDim;
  const kv = s.nKvHeads * s.headDim;
  return s.dModel * (q + 2 * kv) + q * s.dModel + (s.bias.qkv ? q + 2 * kv : 0) + (s.bias.attnOut ? s.dModel : 0);
}

export function paramAccounting(s: ShapeOf): ParamAccounting {
  const positions = s.positional.kind === 'learned' ? (s.maxPositions + s.positional.offset) * s.dModel : 0;
  const embedding = s.vocabSize * s.dModel * (s.tiedEmbeddings ? 1 : 2) + positions;
  const perLayer = ffnParamsPerLayer(s);
  const ffn = perLayer * s.nLayers;
  const attention = attentionParamsPerLayer(s) * s.nLayers;
  const ffnActive = ffnActiveParamsPerLayer(s) * s.nLayers;
  return {
    total: s.params,
    embedding,
    attention,
    ffn,
    other: s.params - embedding - attention - ffn,
    ffn_share: ffn / s.params,
    ffn_per_layer: perLayer,
    active: s.params - ffn + ffnActive,
    ffn_active: ffnActive,
  };
}

export interface FlopsPerToken {
  /** the window length the attention term assumes (the capture's) */
  context: number;
  /** 2 x the FFN matrix weights a token meets: for a mixture of experts the top-k experts', the shared expert's, the router and the shared gate */
  ffn: number;
  attention_projections: number;
  /** q.k scores and the weighted sum of values over the (mean) attended positions */
  attention_scores: number;
  /** the output head (logits over the vocabulary) */
  unembedding: number;
  total: number;
}

/**
 * Forward FLOPs per token, counting a multiply-add as 2 FLOPs: 2 x every matrix weight a token
 * meets (q, k, v, o, FFN in/gate/out, the output head), plus attention over the context: per layer
 * 2 x 2 x (heads x head dim) x the mean number of positions a token attends to in a causal window
 * of n tokens, (n + 1) / 2. Embedding lookups, norms, biases, activations and softmax are O(d) per
 * token and left out (Kaplan et al. 2020 count the same way). For a mixture of experts the FFN term
 * counts the weights a token meets: its top-k experts', the shared expert's, the router and the
 * shared gate (the active matrix weights).
 */
export function flopsPerToken(s: ShapeOf, context: number): FlopsPerToken {
  const q = s.nHeads * s.headDim;
  const kv = s.nKvHeads * s.headDim;
  const ffn = 2 * s.nLayers * (activeUnitsPerLayer(s) * s.dModel * (s.gated ? 3 : 2) + routingParamsPerLayer(s));
  const attention_projections = 2 * s.nLayers * (s.dModel * (q + 2 * kv) + q * s.dModel);
  const attention_scores = 2 * 2 * s.nLayers * q * ((context + 1) / 2);
  const unembedding = 2 * s.vocabSize * s.dModel;
  return { context, ffn, attention_projections, attention_scores, unembedding, total: ffn + attention_projections + attention_scores + unembedding };
}

// ---- per-layer statistics ---------------------------------------------------------------------

export interface Quantiles {
  mean: number;
  q05: number;
  q25: number;
  q50: number;
  q75: number;
  q95: number;
}

/** Quantile p of sorted values, linearly interpolated between order statistics (R's type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Mean and quantiles of the finite values; null when there are none. */
export function quantiles(values: ArrayLike<number>): Quantiles | null {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i] as number)) kept.push(values[i] as number);
  if (kept.length === 0) return null;
  const sorted = Float64Array.from(kept).sort();
  const q = (p: number) => quantileSorted(sorted, p);
  return { mean: kept.reduce((a, b) => a + b, 0) / kept.length, q05: q(0.05), q25: q(0.25), q50: q(0.5), q75: q(0.75), q95: q(0.95) };
}

export interface ActiveFraction {
  /** mean over tokens of the fraction of the layer's neurons that fired */
  mean: number;
  /** the fraction at which half of the tokens (90% of them) had at most that fraction active */
  q50: number;
  q90: number;
}

/**
 * The per-token fraction of a layer active, from the capture's exact histogram of active counts
 * (hist[c] = tokens with exactly c of the F neurons firing): its mean and the quantiles of the
 * empirical distribution (the smallest c/F with at least p of the tokens at or below it). Null when
 * the layer saw no tokens.
 */
export function activeFraction(hist: ArrayLike<number>, neurons: number): ActiveFraction | null {
  if (hist.length !== neurons + 1) throw new RangeError(`compare: an active-count histogram of ${neurons} neurons has ${neurons + 1} bins, got ${hist.length}`);
  let tokens = 0;
  let sum = 0;
  for (let c = 0; c <= neurons; c++) {
    tokens += hist[c] as number;
    sum += (hist[c] as number) * c;
  }
  if (tokens === 0) return null;
  const at = (p: number) => {
    let seen = 0;
    for (let c = 0; c <= neurons; c++) {
      seen += hist[c] as number;
      if (seen >= p * tokens) return c / neurons;
    }
    return 1;
  };
  return { mean: sum / tokens / neurons, q50: at(0.5), q90: at(0.9) };
}

/** The verdict kinds whose share of each layer the comparison reports. */
export const COMPARED_VERDICTS = ['dead', 'constant', 'never_positive', 'rare', 'massive'] as const satisfies readonly VerdictKind[];
export type ComparedVerdict = (typeof COMPARED_VERDICTS)[number];

/** Per layer, the fraction of its neurons with each compared verdict (verdicts from detectors.ts). */
export function verdictFractions(verdicts: readonly Verdict[], layers: number, neurons: number): Array<Record<ComparedVerdict, number>> {
  const counts = Array.from({ length: layers }, () => Object.fromEntries(COMPARED_VERDICTS.map((k) => [k, 0])) as Record<ComparedVerdict, number>);
  for (const v of verdicts) {
    if ((COMPARED_VERDICTS as readonly string[]).includes(v.kind)) (counts[v.layer] as Record<ComparedVerdict, number>)[v.kind as ComparedVerdict] += 1;
  }
  return counts.map((c) => Object.fromEntries(COMPARED_VERDICTS.map((k) => [k, c[k] / neurons])) as Record<ComparedVerdict, number>);
}

/** A value with its 95% interval (bounds null when not bootstrapped). */
export interface Interval {
  value: number;
  low: number | null;
  high: number | null;
}

export interface LayerSensitivity {
  /** delta loss when every neuron of the layer is zeroed */
  whole: Interval;
  /** delta loss when a seeded random fraction of the layer's neurons is zeroed */
  random: Interval & { neurons: number; fraction: number; seed: number };
}

export interface LayerProfile {
  layer: number;
  rel_depth: number;
  ffn_width: number;
  ffn_params: number;
  tokens: number;
  /** the distribution over the layer's neurons of their fire rate */
  fire_rate: Quantiles | null;
  /** the distribution over tokens of the fraction of the layer active (dynamic sparsity) */
  active_fraction: ActiveFraction | null;
  /** fractions of the layer's neurons with each verdict */
  verdicts: Record<ComparedVerdict, number>;
  /** residual dims with massive activations at this layer's output; null when the capture cannot tell */
  massive_dims: number | null;
  /** intrinsic dimension of the residual stream after this layer; null without sampled hidden states */
  twonn: number | null;
  pca90: number | null;
  intrinsic_points: number | null;
  sensitivity: LayerSensitivity | null;
}

export interface LayerInputs {
  summary: StatsSummary;
  /** [L * (F + 1)] exact per-token active counts, or null when the capture lacks them */
  activeHist: ArrayLike<number> | null;
  verdicts: readonly Verdict[];
  shape: ShapeOf;
  massiveDims: ReadonlyArray<number | null> | null;
  intrinsic: ReadonlyArray<{ twonn: number | null; pca90: number | null; points: number } | null>;
  sensitivity: ReadonlyArray<LayerSensitivity | null>;
}

/** One row per layer of one model. */
export function layerProfiles(x: LayerInputs): LayerProfile[] {
  const { summary: s, shape } = x;
  const L = s.layers;
  const F = s.neurons;
  if (L !== shape.nLayers || F !== shape.dFf) throw new RangeError(`compare: statistics of ${L} x ${F} neurons do not match a model of ${shape.nLayers} layers of ${shape.dFf}`);
  const fractions = verdictFractions(x.verdicts, L, F);
  return Array.from({ length: L }, (_, l) => {
    const intrinsic = x.intrinsic[l] ?? null;
    return {
      layer: l,
      rel_depth: relativeDepth(l, L),
      ffn_width: F,
      ffn_params: ffnParamsPerLayer(shape),
      tokens: s.tokens[l] as number,
      fire_rate: quantiles(s.fireRate.subarray(l * F, (l + 1) * F)),
      active_fraction: x.activeHist ? activeFraction(Array.from({ length: F + 1 }, (_, c) => x.activeHist![l * (F + 1) + c] as number), F) : null,
      verdicts: fractions[l] as Record<ComparedVerdict, number>,
      massive_dims: x.massiveDims ? (x.massiveDims[l] ?? null) : null,
      twonn: intrinsic && intrinsic.twonn !== null && Number.isFinite(intrinsic.twonn) ? intrinsic.twonn : null,
      pca90: intrinsic?.pca90 ?? null,
      intrinsic_points: intrinsic?.points ?? null,
      sensitivity: x.sensitivity[l] ?? null,
    };
  });
}

// ---- the comparison as the API returns it -----------------------------------------------------

export interface ModelComparison {
  dataset: { id: number; name: string; tokens: number };
  model: { id: number; name: string; architecture: string; activation: string; layers: number; d_model: number; heads: number; ffn_width: number; gated: boolean; moe: boolean };
  params: ParamAccounting;
  flops_per_token: FlopsPerToken;
  /** loss and perplexity of the intact model on held-out documents, from a stored run; null when none matches */
  heldout: { loss: Interval; ppl: Interval; predictions: number; documents: number; ablation: number } | null;
  /** capture throughput: tokens counted / wall seconds of the capture job (this machine, stats head); null when unknown */
  tokens_per_s: number | null;
  /** the layer-sensitivity run the layers' sensitivity comes from; null when none */
  sensitivity: { ablation: number; fraction: number; seed: number } | null;
  layers: LayerProfile[];
  /** things to know when reading this model's rows (e.g. why a column is empty) */
  notes: string[];
}

export interface CompareResult {
  /** the text every compared capture read */
  text: { corpus: { id: number; name: string }; documents: number; cut_after_tokens: number | null; fire: string };
  models: ModelComparison[];
  /** captures left out, each with the reason */
  refused: Array<{ dataset: number; name: string; reason: string }>;
  /** layers aligned by relative depth: per depth, each model's layer there (or nearest) */
  aligned: AlignedRow[];
  /** what the columns mean */
  definitions: Record<string, string>;
}

/** What each column of a comparison means (the JSON carries it, the README repeats it). */
export const COMPARE_DEFINITIONS: Record<string, string> = {
  same_text:
    'captures are compared only when they read the same text: the same corpus, the same documents (the capture\'s document filter resolved against the corpus) in the same order, and the same part of them (whole documents in both, or both cut after the same number of tokens of the same tokenizer), under the same firing rule',
  rel_depth: 'layer / (layers - 1): 0 is the first block, 1 the last',
  ffn_share:
    'FFN parameters (W_in, W_gate, W_out and their biases, all layers; for a mixture of experts every expert, the shared expert, the router and the shared gate) / all parameters (tied matrices once)',
  active_params:
    'parameters a token passes through: all of them for a dense model; for a mixture of experts all but the FFN, plus per layer the routed top-k experts\' gate/up/down, the shared expert\'s and the router (and shared gate)',
  flops_per_token:
    'forward FLOPs per token, a multiply-add = 2: 2 x every matrix weight a token meets (attention q, k, v, o; FFN, for a mixture of experts only the active weights: the top-k routed experts, the shared expert, the router and shared gate; the output head) + per layer 2 x 2 x heads x head_dim x (context + 1) / 2 for attention over a causal window of the capture\'s length; embeddings, norms, biases, activations, softmax left out',
  fire_rate:
    'per neuron: tokens where it fired / tokens seen (the capture\'s firing rule; for a mixture of experts a unit sees only the tokens routed to its expert); quantiles over the layer\'s neurons (linear interpolation)',
  active_fraction:
    'per token: the fraction of the layer\'s neurons that fired (the capture\'s exact per-token counts; for a mixture of experts over all units of all experts, the unrouted ones counting as silent); mean over tokens, and the median and 90th percentile over tokens',
  verdicts: 'fractions of the layer\'s neurons with each verdict of the detectors at their default thresholds (dead = silent, constant, never positive, rare, massive): the same definitions as the Neurons page',
  massive_dims: 'residual dimensions with massive activations at the layer (the massive-activations detector over the capture\'s residual maxima and sampled tokens)',
  intrinsic: 'intrinsic dimension of the residual stream after the layer over the capture\'s sampled tokens: TwoNN, and PCA-90 (components holding 90% of the variance)',
  sensitivity:
    'delta loss (ablated - intact, nats/token) on held-out documents when every neuron of the layer\'s FFN is zeroed (its output bias stays), and when a seeded random fraction of them is; 95% bootstrap intervals over documents; one ablation run with all conditions on its condition axis',
  heldout: 'loss (mean next-token NLL, nats) and perplexity of the intact model on the held-out documents of the sensitivity or evaluation run, 95% bootstrap intervals over documents',
  tokens_per_s: 'capture throughput on this machine: tokens counted / wall seconds of the capture job (tokenizing and the sampled-token pass included); a rough speed, not a benchmark',
};
