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
}

/** A canonical weight: its [out, in] shape and how to make it. */
export interface CanonicalWeight {
  shape: readonly number[];
  recipe: Recipe;
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
  /** gated MLPs only */
  mlpGate?: string;
  mlpIn: string;
  mlpInBias?: string;
  mlpOut: string;
  mlpOutBias?: string;
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
    for (let i = 0; i < d.nLayers; i++) this.layer(W.layer(i), d, t.layer(i));
    this.copy(W.finalNormWeight, t.finalNorm, [D]);
    this.optional(W.finalNormBias, t.finalNormBias, [D]);
    this.optional(W.lmHead, t.lmHead, [V, D]);
  }

  private layer(w: ReturnType<typeof W.layer>, d: Dims, t: LayerTensors): void {
    const { dModel: D, dFf: F } = d;
    const qDim = d.nHeads * d.headDim;
    const kvDim = d.nKvHeads * d.headDim;
    // a matrix whose canonical shape is [out, inner]
    const matrix = (canonical: string, tensor: string, out: number, inner: number): void => {
      if (t.transposed) this.add(canonical, tensor, [inner, out], { transpose: true });
      else this.copy(canonical, tensor, [out, inner]);
    };
    this.copy(w.norm1Weight, t.norm1, [D]);
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
    matrix(w.o, t.o, D, qDim);
    this.optional(w.oBias, t.oBias, [D]);
    this.copy(w.norm2Weight, t.norm2, [D]);
    this.optional(w.norm2Bias, t.norm2Bias, [D]);
    if (t.mlpGate !== undefined) matrix(w.mlpGate, t.mlpGate, F, D);
    matrix(w.mlpIn, t.mlpIn, F, D);
    this.optional(w.mlpInBias, t.mlpInBias, [F]);
    matrix(w.mlpOut, t.mlpOut, D, F);
    this.optional(w.mlpOutBias, t.mlpOutBias, [D]);
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
  return { shape, data };
}
