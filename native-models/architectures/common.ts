// What every family mapper shares: the error type, checked reads of config values, checked
// tensor look-ups, "recipes" that say how a canonical weight (spec.ts W) is cut from the
// checkpoint's own tensors (copy, transpose a Conv1D, keep some rows of a fused matrix), and the
// walk over a decoder's weights given the family's table of tensor names.

import * as path from 'node:path';
import type { CheckpointReader } from '../formats/checkpoint.js';
import { quote } from '../formats/errors.js';
import { type Activation, type ModelSpec, W, type WeightTensor } from '../spec.js';

/** The checkpoint is readable but does not describe a model we can map (unknown family, bad config value, missing or misshapen tensor). */
export class ArchitectureError extends Error {
  constructor(
    /** the checkpoint (folder or file) */
    readonly file: string,
    readonly detail: string,
    /** the config field or tensor at fault, when there is one */
    readonly field?: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ArchitectureError';
  }
}

/**
 * How one canonical weight is made from a checkpoint tensor: read `tensor` (fp32), transpose it
 * when it is stored [in, out] (2-D only), then keep the listed row ranges in order (a 1-D tensor
 * has rows of one element). No `rows`: the whole tensor.
 */
export interface Recipe {
  tensor: string;
  transpose?: boolean;
  rows?: ReadonlyArray<readonly [start: number, count: number]>;
  /**
   * add 1 to every element, in float32 after the upcast (Gemma's RMSNorm stores w and scales by
   * 1 + w in float32; folding it here makes it an ordinary RMSNorm weight). The result is not a
   * value of the file's dtype: keep it in float32.
   */
  plusOne?: boolean;
  /**
   * the tensor is a 3-D stack [E, r, c] of E expert matrices (llama.cpp's ffn_*_exps), joined on
   * the neuron axis: 'rows' gives [E r, c] (gate/up: the same elements, expert j's rows at j r),
   * 'columns' gives [r, E c] (down: expert j's columns at j c)
   */
  experts?: 'rows' | 'columns';
}

/** A canonical weight: its [out, in] shape and how to make it. */
export interface CanonicalWeight {
  shape: readonly number[];
  recipe: Recipe;
  /**
   * mixture-of-experts: the weight is these whole 2-D tensors (each [out, in] as stored) joined
   * along `axis` (0: rows, the experts' gate/up; 1: columns, their down), in order; `recipe` is
   * then the first part (for messages)
   */
  stack?: { parts: readonly string[]; axis: 0 | 1 };
}

/** A checkpoint mapped to the common spec: weights are described, not read. */
export interface Mapping {
  spec: ModelSpec;
  /** canonical name (spec.ts W) -> recipe, for every weight the model has */
  weights: ReadonlyMap<string, CanonicalWeight>;
}

export interface Mapper {
  /** config.architectures[0] values this mapper takes */
  architectures: readonly string[];
  /** config.model_type values this mapper takes when `architectures` is absent */
  modelTypes: readonly string[];
  map(reader: CheckpointReader): Mapping;
}

/** Largest sizes we accept: far above any real model, small enough to catch garbage. */
export const LIMITS = { dim: 1 << 20, layers: 4096, vocab: 1 << 24, positions: 1 << 24 } as const;

interface IntRule {
  min: number;
  max: number;
  /** used when the field is absent or null */
  default?: number;
}

interface NumRule {
  /** exclusive lower bound */
  above: number;
  /** inclusive upper bound */
  max?: number;
  default?: number;
}

/** The sizes a mapper reads from its config: the spec states them, and every tensor shape follows. */
export type Dims = Pick<ModelSpec, 'vocabSize' | 'dModel' | 'nLayers' | 'nHeads' | 'nKvHeads' | 'headDim' | 'dFf'>;

/** q, k and v as three tensors, with their biases when the model has them. */
export interface SeparateQkv {
  q: string;
  k: string;
  v: string;
  qBias?: string;
  kBias?: string;
  vBias?: string;
}

/** Hugging Face's separate q_proj / k_proj / v_proj under `a` (e.g. "model.layers.3.self_attn."), with their biases when `bias`. */
export function hfSeparateQkv(a: string, bias: boolean): SeparateQkv {
  return {
    q: `${a}q_proj.weight`,
    k: `${a}k_proj.weight`,
    v: `${a}v_proj.weight`,
    qBias: bias ? `${a}q_proj.bias` : undefined,
    kBias: bias ? `${a}k_proj.bias` : undefined,
    vBias: bias ? `${a}v_proj.bias` : undefined,
  };
}

/** q, k and v cut out of one fused matrix of (nHeads + 2 nKvHeads) * headDim rows (and its bias):
 * `rows(part)` are the rows of part 0 (q), 1 (k) or 2 (v). */
export interface FusedQkv {
  qkv: string;
  qkvBias?: string;
  rows(part: number): Array<[number, number]>;
}

/** Where one layer's weights are in the checkpoint: the tensor each canonical weight of
 * W.layer(i) is made from. An optional name left out: the model has no such weight. */
export interface LayerTensors {
  /** the matrices are stored [in, out] (GPT-2's Conv1D) and are transposed; otherwise [out, in] */
  transposed?: boolean;
  norm1: string;
  norm1Bias?: string;
  attention: SeparateQkv | FusedQkv;
  o: string;
  oBias?: string;
  norm2: string;
  norm2Bias?: string;
  /** per-head q and k RMSNorm weights [headDim] (spec qkNorm: Qwen3, Gemma 3) */
  qNorm?: string;
  kNorm?: string;
  /** norms of the attention and FFN outputs before the residual add [dModel] (spec postNorms: Gemma 2/3) */
  postAttnNorm?: string;
  postMlpNorm?: string;
  /** gate and up as one [2 dFf, dModel] matrix, gate rows first (Phi-3 gate_up_proj); instead of mlpGate + mlpIn */
  gateUp?: string;
  /** a mixture-of-experts FFN (architectures/moe.ts); mlpGate, mlpIn and mlpOut are then ignored */
  moe?: MoeTensors;
  /** gated MLPs only */
  mlpGate?: string;
  /** ignored when gateUp is given */
  mlpIn: string;
  mlpInBias?: string;
  mlpOut: string;
  mlpOutBias?: string;
}

/**
 * A mixture-of-experts FFN's tensors: the router [E, dModel], each routed expert's gated MLP
 * (gate and up [expertFf, dModel], down [dModel, expertFf]) and the shared expert's (Qwen2-MoE, with
 * its gate [1, dModel]). They become the canonical mlp.gate / mlp.in [dFf, dModel] and mlp.out
 * [dModel, dFf] with expert j's units at rows (columns) j * expertFf.., the shared expert's last.
 */
export interface MoeTensors {
  router: string;
  expertFf: number;
  experts: ReadonlyArray<{ gate: string; up: string; down: string }>;
  shared?: { ff: number; gate: string; up: string; down: string; sharedGate: string };
  /**
   * instead of `experts` (then empty): the E experts as three 3-D tensors, llama.cpp's
   * ffn_gate_exps / ffn_up_exps [E, expertFf, dModel] and ffn_down_exps [E, dModel, expertFf]
   */
  stacked?: { count: number; gate: string; up: string; down: string };
}

/** Where a decoder's weights are in the checkpoint (see LayerTensors). */
export interface DecoderTensors {
  tokenEmbedding: string;
  /** learned positions: the table and its number of rows */
  positionEmbedding?: { tensor: string; rows: number };
  layer(i: number): LayerTensors;
  finalNorm: string;
  finalNormBias?: string;
  /** the output head; left out when it is tied to the token embedding */
  lmHead?: string;
  /** every norm weight is applied as 1 + w (Gemma): folded in at read time (Recipe.plusOne) */
  normPlusOne?: boolean;
}

/** Product of a shape's dimensions. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** One mapping in progress: checked config reads, checked tensors, the canonical weights collected. */
export class MapContext {
  readonly where: string;
  readonly config: Record<string, unknown>;
  private readonly weights = new Map<string, CanonicalWeight>();

  constructor(
    readonly reader: CheckpointReader,
    /** how messages name the config: 'config.json' or 'llama2.c header' */
    readonly configLabel: string,
    /** a nested object of the config to read instead (see `nested`) */
    config?: Record<string, unknown>,
  ) {
    const first = reader.paths[0] ?? '(checkpoint)';
    this.where = reader.format === 'safetensors' ? path.dirname(first) : first;
    const cfg = config ?? reader.config;
    if (cfg === null) throw new ArchitectureError(this.where, `no ${configLabel}; expected one beside the weights`, configLabel);
    this.config = cfg;
  }

  /** The same checks on the object in field `key` (e.g. rope_scaling); its messages name `key`. */
  nested(key: string): MapContext {
    const v = this.config[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, v, 'an object');
    return new MapContext(this.reader, `${this.configLabel} ${key}`, v as Record<string, unknown>);
  }

  fail(field: string, value: unknown, expected: string): never {
    throw new ArchitectureError(this.where, `${this.configLabel} "${field}" is ${quote(value)}; expected ${expected}`, field);
  }

  private present(key: string): boolean {
    return Object.hasOwn(this.config, key) && this.config[key] !== null && this.config[key] !== undefined;
  }

  /** An integer field in [min, max]. */
  int(key: string, rule: IntRule): number {
    if (!this.present(key) && rule.default !== undefined) return rule.default;
    const v = this.config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < rule.min || v > rule.max) {
      this.fail(key, v, `an integer from ${rule.min} to ${rule.max}`);
    }
    return v;
  }

  /** A finite number field > above (and <= max). */
  num(key: string, rule: NumRule): number {
    if (!this.present(key) && rule.default !== undefined) return rule.default;
    const v = this.config[key];
    const max = rule.max ?? Number.MAX_VALUE;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= rule.above || v > max) {
      this.fail(key, v, rule.max === undefined ? `a finite number > ${rule.above}` : `a number > ${rule.above} and <= ${rule.max}`);
    }
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    if (!this.present(key)) return dflt;
    const v = this.config[key];
    if (typeof v !== 'boolean') this.fail(key, v, 'true or false');
    return v;
  }

  /** The model width, depth and number of heads from the config fields of these names (the heads
   * must divide the width), as GPT-2, GPT-NeoX and OPT state them. */
  widthDepthHeads(dModel: string, nLayers: string, nHeads: string): { D: number; L: number; H: number } {
    const D = this.int(dModel, { min: 1, max: LIMITS.dim });
    const L = this.int(nLayers, { min: 1, max: LIMITS.layers });
    const H = this.int(nHeads, { min: 1, max: D });
    if (D % H !== 0) this.fail(nHeads, H, `a divisor of ${dModel} (${D})`);
    return { D, L, H };
  }

  /** A field that must have one value (when present) because the spec cannot express the others. */
  expect(key: string, wanted: boolean, why: string): void {
    if (this.present(key) && this.config[key] !== wanted) this.fail(key, this.config[key], `${String(wanted)} (${why})`);
  }

  /** The FFN nonlinearity named by a config field. */
  activation(key: string, dflt: Activation): Activation {
    if (!this.present(key)) return dflt;
    const v = this.config[key];
    const known: Record<string, Activation> = {
      gelu_new: 'gelu_new',
      gelu_pytorch_tanh: 'gelu_new',
      gelu_fast: 'gelu_new',
      gelu: 'gelu',
      relu: 'relu',
      silu: 'silu',
      swish: 'silu',
    };
    const act = typeof v === 'string' && Object.hasOwn(known, v) ? known[v] : undefined;
    if (act === undefined) this.fail(key, v, `one of ${Object.keys(known).join(', ')}`);
    return act;
  }

  /**
   * The Llama-style attention shape (hidden_size, num_hidden_layers, num_attention_heads,
   * num_key_value_heads, head_dim), checked: kv heads divide the heads, and the head dim is
   * hidden_size / heads unless the config states it (even when `evenHeadDim`: rotary pairs).
   */
  attentionShape(evenHeadDim: boolean): { D: number; L: number; H: number; KV: number; hd: number } {
    const D = this.int('hidden_size', { min: 1, max: LIMITS.dim });
    const L = this.int('num_hidden_layers', { min: 1, max: LIMITS.layers });
    const H = this.int('num_attention_heads', { min: 1, max: LIMITS.dim });
    const KV = this.int('num_key_value_heads', { min: 1, max: H, default: H });
    if (H % KV !== 0) this.fail('num_key_value_heads', KV, `a divisor of num_attention_heads (${H})`);
    const explicitHeadDim = this.config.head_dim !== undefined && this.config.head_dim !== null;
    if (!explicitHeadDim && D % H !== 0) this.fail('num_attention_heads', H, `a divisor of hidden_size (${D}), or a head_dim`);
    const hd = this.int('head_dim', { min: 2, max: LIMITS.dim, default: D / H });
    if (evenHeadDim && hd % 2 !== 0) this.fail('head_dim', hd, 'an even number (rotary pairs)');
    return { D, L, H, KV, hd };
  }

  /** config.architectures[0] when the config names one, else its model_type. */
  architecture(): string {
    const a = this.config.architectures;
    if (Array.isArray(a) && typeof a[0] === 'string') return a[0];
    const t = this.config.model_type;
    return typeof t === 'string' ? t : '(unnamed)';
  }

  has(tensor: string): boolean {
    return this.reader.tensors.has(tensor);
  }

  /** Checks that `tensor` exists with exactly `shape`. */
  need(tensor: string, shape: readonly number[]): void {
    const info = this.reader.tensors.get(tensor);
    if (!info) throw new ArchitectureError(this.where, `missing tensor ${quote(tensor)} (expected shape ${shapeText(shape)})`, tensor);
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      throw new ArchitectureError(this.where, `tensor ${quote(tensor)} has shape ${shapeText(info.shape)}; expected ${shapeText(shape)}`, tensor);
    }
  }

  /** canonical = the checkpoint tensor as it is (already [out, in]). */
  copy(canonical: string, tensor: string, shape: readonly number[]): void {
    this.need(tensor, shape);
    this.weights.set(canonical, { shape, recipe: { tensor } });
  }

  /** canonical = some rows of the checkpoint tensor, which has `shape` (after transposing when asked). */
  add(canonical: string, tensor: string, fileShape: readonly number[], recipe: Omit<Recipe, 'tensor'>): void {
    this.need(tensor, fileShape);
    const full = recipe.transpose ? [fileShape[1] ?? 0, fileShape[0] ?? 0] : [...fileShape];
    const rows = recipe.rows ? recipe.rows.reduce((n, [, c]) => n + c, 0) : (full[0] ?? 0);
    this.weights.set(canonical, { shape: [rows, ...full.slice(1)], recipe: { tensor, ...recipe } });
  }

  /** Every canonical weight of a decoder, shapes checked against `d`: the embeddings, each layer
   * (norm, q, k, v, their biases, o, norm, gate, in, out), the final norm, the untied head. */
  decoder(d: Dims, t: DecoderTensors): void {
    const { vocabSize: V, dModel: D } = d;
    this.copy(W.tokenEmbedding, t.tokenEmbedding, [V, D]);
    if (t.positionEmbedding) this.copy(W.positionEmbedding, t.positionEmbedding.tensor, [t.positionEmbedding.rows, D]);
    const plusOne = t.normPlusOne ?? false;
    for (let i = 0; i < d.nLayers; i++) this.layer(W.layer(i), d, t.layer(i), plusOne);
    this.norm(W.finalNormWeight, t.finalNorm, [D], plusOne);
    this.optional(W.finalNormBias, t.finalNormBias, [D]);
    this.optional(W.lmHead, t.lmHead, [V, D]);
  }

  private layer(w: ReturnType<typeof W.layer>, d: Dims, t: LayerTensors, plusOne: boolean): void {
    const { dModel: D, dFf: F } = d;
    const qDim = d.nHeads * d.headDim;
    const kvDim = d.nKvHeads * d.headDim;
    // a matrix whose canonical shape is [out, inner]
    const matrix = (canonical: string, tensor: string, out: number, inner: number): void => {
      if (t.transposed) this.add(canonical, tensor, [inner, out], { transpose: true });
      else this.copy(canonical, tensor, [out, inner]);
    };
    this.norm(w.norm1Weight, t.norm1, [D], plusOne);
    this.optional(w.norm1Bias, t.norm1Bias, [D]);
    const a = t.attention;
    if ('qkv' in a) {
      const rows = qDim + 2 * kvDim;
      [w.q, w.k, w.v].forEach((canonical, part) => {
        if (t.transposed) this.add(canonical, a.qkv, [D, rows], { transpose: true, rows: a.rows(part) });
        else this.add(canonical, a.qkv, [rows, D], { rows: a.rows(part) });
      });
      const bias = a.qkvBias;
      if (bias !== undefined) [w.qBias, w.kBias, w.vBias].forEach((canonical, part) => this.add(canonical, bias, [rows], { rows: a.rows(part) }));
    } else {
      matrix(w.q, a.q, qDim, D);
      matrix(w.k, a.k, kvDim, D);
      matrix(w.v, a.v, kvDim, D);
      this.optional(w.qBias, a.qBias, [qDim]);
      this.optional(w.kBias, a.kBias, [kvDim]);
      this.optional(w.vBias, a.vBias, [kvDim]);
    }
    if (t.qNorm !== undefined) this.norm(w.qNorm, t.qNorm, [d.headDim], plusOne);
    if (t.kNorm !== undefined) this.norm(w.kNorm, t.kNorm, [d.headDim], plusOne);
    matrix(w.o, t.o, D, qDim);
    this.optional(w.oBias, t.oBias, [D]);
    if (t.postAttnNorm !== undefined) this.norm(w.postAttnNorm, t.postAttnNorm, [D], plusOne);
    this.norm(w.norm2Weight, t.norm2, [D], plusOne);
    this.optional(w.norm2Bias, t.norm2Bias, [D]);
    if (t.moe !== undefined) {
      this.moe(w, d, t.moe);
      return;
    }
    if (t.gateUp !== undefined) {
      if (t.transposed) throw new Error('a fused gate_up matrix is read as [out, in] only');
      this.add(w.mlpGate, t.gateUp, [2 * F, D], { rows: [[0, F]] });
      this.add(w.mlpIn, t.gateUp, [2 * F, D], { rows: [[F, F]] });
    } else {
      if (t.mlpGate !== undefined) matrix(w.mlpGate, t.mlpGate, F, D);
      matrix(w.mlpIn, t.mlpIn, F, D);
    }
    this.optional(w.mlpInBias, t.mlpInBias, [F]);
    matrix(w.mlpOut, t.mlpOut, D, F);
    this.optional(w.mlpOutBias, t.mlpOutBias, [D]);
    if (t.postMlpNorm !== undefined) this.norm(w.postMlpNorm, t.postMlpNorm, [D], plusOne);
  }

  /** The experts stacked on the neuron axis (MoeTensors), the router and the shared expert's gate. */
  private moe(w: ReturnType<typeof W.layer>, d: Dims, m: MoeTensors): void {
    const { dModel: D, dFf: F } = d;
    const s = m.stacked;
    if (s !== undefined) {
      // one 3-D tensor per matrix kind: no shared expert in this layout (llama.cpp's Mixtral)
      if (s.count * m.expertFf !== F || m.shared) throw new ArchitectureError(this.where, `the ${s.count} stacked experts have ${s.count * m.expertFf} units in all; the spec says dFf ${F}`);
      const E = s.count;
      const ff = m.expertFf;
      this.need(s.gate, [E, ff, D]);
      this.need(s.up, [E, ff, D]);
      this.need(s.down, [E, D, ff]);
      this.weights.set(w.mlpGate, { shape: [F, D], recipe: { tensor: s.gate, experts: 'rows' } });
      this.weights.set(w.mlpIn, { shape: [F, D], recipe: { tensor: s.up, experts: 'rows' } });
      this.weights.set(w.mlpOut, { shape: [D, F], recipe: { tensor: s.down, experts: 'columns' } });
      this.copy(w.router, m.router, [E, D]);
      return;
    }
    const all = [...m.experts, ...(m.shared ? [m.shared] : [])];
    const ff = (j: number): number => (j < m.experts.length ? m.expertFf : (m.shared?.ff ?? 0));
    const total = all.reduce((n, _, j) => n + ff(j), 0);
    if (total !== F) throw new ArchitectureError(this.where, `the experts have ${total} units in all; the spec says dFf ${F}`);
    const stack = (canonical: string, parts: string[], shape: (j: number) => number[], axis: 0 | 1): void => {
      parts.forEach((p, j) => this.need(p, shape(j)));
      this.weights.set(canonical, { shape: axis === 0 ? [F, D] : [D, F], recipe: { tensor: parts[0] ?? '' }, stack: { parts, axis } });
    };
    stack(w.mlpGate, all.map((e) => e.gate), (j) => [ff(j), D], 0);
    stack(w.mlpIn, all.map((e) => e.up), (j) => [ff(j), D], 0);
    stack(w.mlpOut, all.map((e) => e.down), (j) => [D, ff(j)], 1);
    this.copy(w.router, m.router, [m.experts.length, D]);
    if (m.shared) this.copy(w.sharedGate, m.shared.sharedGate, [1, D]);
  }

  /** a norm weight, as stored or (plusOne) as 1 + w */
  private norm(canonical: string, tensor: string, shape: readonly number[], plusOne: boolean): void {
    if (plusOne) this.add(canonical, tensor, shape, { plusOne: true });
    else this.copy(canonical, tensor, shape);
  }

  /** copy, when the model has the weight */
  private optional(canonical: string, tensor: string | undefined, shape: readonly number[]): void {
    if (tensor !== undefined) this.copy(canonical, tensor, shape);
  }

  /** The finished mapping; params are counted over the canonical weights (tied matrices once). */
  finish(spec: Omit<ModelSpec, 'params'>): Mapping {
    let params = 0;
    for (const w of this.weights.values()) params += numel(w.shape);
    return { spec: { ...spec, params }, weights: this.weights };
  }
}

/**
 * Which layers use sliding-window attention: config.layer_types when the config lists them
 * ("sliding_attention" | "full_attention", one per layer, as recent Hugging Face configs do), else
 * `fallback(i)` (the family's rule from older configs).
 */
export function slidingLayers(c: MapContext, nLayers: number, fallback: (i: number) => boolean): boolean[] {
  const types = c.config.layer_types;
  if (types === undefined || types === null) return Array.from({ length: nLayers }, (_, i) => fallback(i));
  const ok = Array.isArray(types) && types.length === nLayers && types.every((t) => t === 'sliding_attention' || t === 'full_attention');
  if (!ok) c.fail('layer_types', types, `a list of ${nLayers} (num_hidden_layers) entries "sliding_attention" or "full_attention"`);
  return (types as string[]).map((t) => t === 'sliding_attention');
}

/** Row ranges that pick one part of a fused per-head-interleaved matrix: for each head h, rows
 * [(h * parts + part) * headDim, +headDim). GPT-NeoX query_key_value is parts=3: [heads, 3, headDim]. */
export function interleavedRows(heads: number, parts: number, part: number, headDim: number): Array<[number, number]> {
  const rows: Array<[number, number]> = [];
  for (let h = 0; h < heads; h++) rows.push([(h * parts + part) * headDim, headDim]);
  return rows;
}

/** Makes a canonical weight from its source tensor's fp32 data (source shape as in the file). */
export function applyRecipe(recipe: Recipe, source: Float32Array, sourceShape: readonly number[]): WeightTensor {
  let data = source;
  let shape = [...sourceShape];
  if (recipe.experts) {
    const [E, r, c] = shape;
    if (shape.length !== 3 || E === undefined || r === undefined || c === undefined) throw new Error(`cannot join the experts of ${quote(recipe.tensor)} of shape ${shapeText(shape)}; expected [experts, rows, columns]`);
    if (recipe.experts === 'rows') shape = [E * r, c];
    else {
      const out = new Float32Array(data.length);
      for (let j = 0; j < E; j++) for (let i = 0; i < r; i++) out.set(data.subarray((j * r + i) * c, (j * r + i + 1) * c), i * E * c + j * c);
      data = out;
      shape = [r, E * c];
    }
  }
  if (recipe.transpose) {
    const [r, c] = shape;
    if (shape.length !== 2 || r === undefined || c === undefined) throw new Error(`cannot transpose ${quote(recipe.tensor)} of shape ${shapeText(shape)}`);
    const t = new Float32Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = data[i * c + j] ?? 0;
    data = t;
    shape = [c, r];
  }
  if (recipe.rows) {
    const width = numel(shape.slice(1));
    const total = recipe.rows.reduce((n, [, c]) => n + c, 0);
    const out = new Float32Array(total * width);
    let at = 0;
    for (const [start, count] of recipe.rows) {
      out.set(data.subarray(start * width, (start + count) * width), at);
      at += count * width;
    }
    data = out;
    shape = [total, ...shape.slice(1)];
  }
  if (recipe.plusOne) data = data.map((v) => v + 1); // a new array: the source may be cached or a view of the file
  return { shape, data };
}

/** Joins whole 2-D tensors (fp32, [rows, cols] each) along rows (axis 0) or columns (axis 1). */
export function joinParts(parts: readonly WeightTensor[], axis: 0 | 1): WeightTensor {
  const rows = parts.map((p) => p.shape[0] ?? 0);
  const cols = parts.map((p) => p.shape[1] ?? 0);
  if (axis === 0) {
    const out = new Float32Array(rows.reduce((a, b) => a + b, 0) * (cols[0] ?? 0));
    let at = 0;
    for (const p of parts) {
      out.set(p.data, at);
      at += p.data.length;
    }
    return { shape: [out.length / (cols[0] || 1), cols[0] ?? 0], data: out };
  }
  const R = rows[0] ?? 0;
  const C = cols.reduce((a, b) => a + b, 0);
  const out = new Float32Array(R * C);
  let c0 = 0;
  parts.forEach((p, j) => {
    const c = cols[j] ?? 0;
    for (let r = 0; r < R; r++) out.set(p.data.subarray(r * c, (r + 1) * c), r * C + c0);
    c0 += c;
  });
  return { shape: [R, C], data: out };
}
