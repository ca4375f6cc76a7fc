// Test helpers (used by *.test.ts only): the committed fixtures and their golden.json, readers
// with a changed config / a missing or misshapen tensor, and a slow, plain forward pass over a
// LoadedModel's canonical weights that says what the spec means (checked against the goldens).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointReader, TensorInfo } from '../formats/checkpoint.js';
import { type Activation, type LoadedModel, W } from '../spec.js';
import { ArchitectureError } from './common.js';

export const FIXTURES_DIR = join(import.meta.dirname, '..', 'fixtures');

export interface GoldenTensor {
  shape: number[];
  data: number[];
}

export interface Golden {
  schema: number;
  name: string;
  checkpoint: string;
  dtype: string;
  tolerance: { atol: number; rtol: number };
  expected_spec: Record<string, unknown>;
  input_ids: GoldenTensor;
  logits: GoldenTensor;
  nll: GoldenTensor;
  activations: Record<string, GoldenTensor>;
  preactivations: Record<string, GoldenTensor>;
  up?: Record<string, GoldenTensor>;
  ablation: { method: 'zero'; neurons: { layer: number; neuron: number }[]; logits: GoldenTensor; nll: GoldenTensor };
}

/** Fixture directory names (each holds a golden.json). */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FIXTURES_DIR, d.name, 'golden.json')))
    .map((d) => d.name)
    .sort();
}

export function readGolden(name: string): Golden {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name, 'golden.json'), 'utf8')) as Golden;
}

/** What to pass to loadModel/openCheckpoint for a fixture. */
export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name, readGolden(name).checkpoint);
}

export interface Mutation {
  /** fields to set (undefined: delete the field) */
  config?: Record<string, unknown>;
  dropTensor?: string;
  reshape?: { tensor: string; shape: number[] };
}

/** A reader that differs from `reader` as `m` says; reads still come from the file. */
export function mutated(reader: CheckpointReader, m: Mutation): CheckpointReader {
  let config = reader.config;
  if (m.config) {
    const c: Record<string, unknown> = { ...(reader.config ?? {}) };
    for (const [k, v] of Object.entries(m.config)) {
      if (v === undefined) delete c[k];
      else c[k] = v;
    }
    config = c;
  }
  const tensors = new Map<string, TensorInfo>(reader.tensors);
  if (m.dropTensor !== undefined) tensors.delete(m.dropTensor);
  if (m.reshape) {
    const t = tensors.get(m.reshape.tensor);
    if (t) tensors.set(m.reshape.tensor, { ...t, shape: m.reshape.shape });
  }
  return {
    format: reader.format,
    paths: reader.paths,
    config,
    tensors,
    read: (name: string) => reader.read(name),
    sha256: () => reader.sha256(),
  };
}

/** The ArchitectureError that `f` throws (any other outcome fails the test). */
export function architectureError(f: () => unknown): ArchitectureError {
  try {
    f();
  } catch (e) {
    if (e instanceof ArchitectureError) return e;
    throw e;
  }
  throw new Error('expected an ArchitectureError, but nothing was thrown');
}

/** |got - want| <= atol + rtol * |want| everywhere; returns the first violation, or null. */
export function mismatch(got: ArrayLike<number>, want: GoldenTensor, tol: { atol: number; rtol: number }): string | null {
  if (got.length !== want.data.length) return `length ${got.length} vs ${want.data.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i] ?? NaN;
    const w = want.data[i] ?? NaN;
    if (!(Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w))) return `element ${i}: got ${g}, want ${w}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Reference forward over canonical weights (float64 arithmetic, one position at a time).

type Vec = Float64Array;

function act(kind: Activation, x: number): number {
  switch (kind) {
    case 'relu':
      return Math.max(0, x);
    case 'silu':
      return x / (1 + Math.exp(-x));
    case 'gelu_new':
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    case 'gelu':
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
  }
}

/** erf to ~1e-12 (Taylor series near 0, continued fraction via erfc beyond). */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 2.5) {
    let sum = 0;
    let term = a;
    for (let n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= (-a * a) / (n + 1);
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
  }
  // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...))))
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f);
}

export interface ForwardResult {
  /** [B, T, V] row-major */
  logits: Float64Array;
  /** layer -> [B, T, F] */
  acts: Map<number, Float64Array>;
  /** layer -> the nonlinearity's argument [B, T, F] */
  pre: Map<number, Float64Array>;
}

export function referenceForward(m: LoadedModel, ids: GoldenTensor, ablate: { layer: number; neuron: number }[] = []): ForwardResult {
  const s = m.spec;
  const [B = 0, T = 0] = ids.shape;
  const D = s.dModel;
  const F = s.dFf;
  const hd = s.headDim;
  const has = new Set(m.weightNames());
  const get = (name: string): Float32Array | null => (has.has(name) ? m.weight(name).data : null);
  const must = (name: string): Float32Array => {
    const w = get(name);
    if (!w) throw new Error(`missing ${name}`);
    return w;
  };
  const linear = (w: Float32Array, b: Float32Array | null, x: Vec, out: number): Vec => {
    const n = x.length;
    const y = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let acc = b ? (b[o] ?? 0) : 0;
      for (let i = 0; i < n; i++) acc += (w[o * n + i] ?? 0) * (x[i] ?? 0);
      y[o] = acc;
    }
    return y;
  };
  const norm = (x: Vec, w: Float32Array, b: Float32Array | null): Vec => {
    const n = x.length;
    let mean = 0;
    if (s.norm === 'layernorm') for (const v of x) mean += v / n;
    let sq = 0;
    for (const v of x) sq += ((v - mean) * (v - mean)) / n;
    const r = 1 / Math.sqrt(sq + s.normEps);
    return x.map((v, i) => (v - mean) * r * (w[i] ?? 0) + (b ? (b[i] ?? 0) : 0));
  };
  const pos = s.positional;
  const invFreq: number[] = [];
  if (pos.kind === 'rotary') {
    for (let i = 0; i < pos.rotaryDim / 2; i++) {
      let f = 1 / Math.pow(pos.theta, (2 * i) / pos.rotaryDim);
      const sc = pos.llama3Scaling;
      if (sc) {
        const wavelen = (2 * Math.PI) / f;
        const lowWavelen = sc.originalMaxPositions / sc.lowFreqFactor;
        const highWavelen = sc.originalMaxPositions / sc.highFreqFactor;
        if (wavelen > lowWavelen) f = f / sc.factor;
        else if (wavelen >= highWavelen) {
          const smooth = (sc.originalMaxPositions / wavelen - sc.lowFreqFactor) / (sc.highFreqFactor - sc.lowFreqFactor);
          f = (1 - smooth) * (f / sc.factor) + smooth * f;
        }
      }
      invFreq.push(f);
    }
  }
  const rotate = (v: Vec, heads: number, t: number): void => {
    if (pos.kind !== 'rotary') return;
    const half = pos.rotaryDim / 2;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < half; i++) {
        const [a, b] = pos.interleaved ? [h * hd + 2 * i, h * hd + 2 * i + 1] : [h * hd + i, h * hd + i + half];
        const ang = t * (invFreq[i] ?? 0);
        const x0 = v[a] ?? 0;
        const x1 = v[b] ?? 0;
        v[a] = x0 * Math.cos(ang) - x1 * Math.sin(ang);
        v[b] = x1 * Math.cos(ang) + x0 * Math.sin(ang);
      }
    }
  };

  const V = s.vocabSize;
  const logits = new Float64Array(B * T * V);
  const acts = new Map<number, Float64Array>();
  const pre = new Map<number, Float64Array>();
  for (let l = 0; l < s.nLayers; l++) {
    acts.set(l, new Float64Array(B * T * F));
    pre.set(l, new Float64Array(B * T * F));
  }
  const emb = must(W.tokenEmbedding);
  for (let b = 0; b < B; b++) {
    let xs: Vec[] = [];
    for (let t = 0; t < T; t++) {
      const id = ids.data[b * T + t] ?? 0;
      const x = new Float64Array(D);
      for (let i = 0; i < D; i++) x[i] = emb[id * D + i] ?? 0;
      if (pos.kind === 'learned') {
        const pe = must(W.positionEmbedding);
        for (let i = 0; i < D; i++) x[i] = (x[i] ?? 0) + (pe[(t + pos.offset) * D + i] ?? 0);
      }
      xs.push(x);
    }
    for (let l = 0; l < s.nLayers; l++) {
      const w = W.layer(l);
      const qs: Vec[] = [];
      const ks: Vec[] = [];
      const vs: Vec[] = [];
      xs.forEach((x, t) => {
        const a = norm(x, must(w.norm1Weight), get(w.norm1Bias));
        const q = linear(must(w.q), get(w.qBias), a, s.nHeads * hd);
        const k = linear(must(w.k), get(w.kBias), a, s.nKvHeads * hd);
        rotate(q, s.nHeads, t);
        rotate(k, s.nKvHeads, t);
        qs.push(q);
        ks.push(k);
        vs.push(linear(must(w.v), get(w.vBias), a, s.nKvHeads * hd));
      });
      const next: Vec[] = [];
      xs.forEach((x, t) => {
        const att = new Float64Array(s.nHeads * hd);
        for (let h = 0; h < s.nHeads; h++) {
          const kv = Math.floor(h / (s.nHeads / s.nKvHeads));
          const scores: number[] = [];
          for (let u = 0; u <= t; u++) {
            let dot = 0;
            for (let i = 0; i < hd; i++) dot += (qs[t]?.[h * hd + i] ?? 0) * (ks[u]?.[kv * hd + i] ?? 0);
            scores.push(dot / Math.sqrt(hd));
          }
          const mx = Math.max(...scores);
          const e = scores.map((v) => Math.exp(v - mx));
          const z = e.reduce((p, c) => p + c, 0);
          for (let u = 0; u <= t; u++) for (let i = 0; i < hd; i++) att[h * hd + i] = (att[h * hd + i] ?? 0) + ((e[u] ?? 0) / z) * (vs[u]?.[kv * hd + i] ?? 0);
        }
        const o = linear(must(w.o), get(w.oBias), att, D);
        const afterAttn = x.map((v, i) => v + (o[i] ?? 0));
        const mIn = norm(s.parallelResidual ? x : afterAttn, must(w.norm2Weight), get(w.norm2Bias));
        const up = linear(must(w.mlpIn), get(w.mlpInBias), mIn, F);
        const gate = s.gated ? linear(must(w.mlpGate), null, mIn, F) : null;
        const h = new Float64Array(F);
        for (let j = 0; j < F; j++) {
          const z = gate ? (gate[j] ?? 0) : (up[j] ?? 0);
          h[j] = gate ? act(s.activation, z) * (up[j] ?? 0) : act(s.activation, z);
          (pre.get(l) as Float64Array)[(b * T + t) * F + j] = z;
          (acts.get(l) as Float64Array)[(b * T + t) * F + j] = h[j] ?? 0;
        }
        for (const a of ablate) if (a.layer === l) h[a.neuron] = 0;
        const f = linear(must(w.mlpOut), get(w.mlpOutBias), h, D);
        next.push(afterAttn.map((v, i) => v + (f[i] ?? 0)));
      });
      xs = next;
    }
    const head = get(W.lmHead) ?? emb;
    xs.forEach((x, t) => {
      const y = linear(head, null, norm(x, must(W.finalNormWeight), get(W.finalNormBias)), V);
      logits.set(y, (b * T + t) * V);
    });
  }
  return { logits, acts, pre };
}

/** nll[b, t] = -log_softmax(logits[b, t])[ids[b, t + 1]], [B, T-1]. */
export function nllOf(logits: Float64Array, ids: GoldenTensor, V: number): Float64Array {
  const [B = 0, T = 0] = ids.shape;
  const out = new Float64Array(B * (T - 1));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T - 1; t++) {
      const row = logits.subarray((b * T + t) * V, (b * T + t + 1) * V);
      const mx = Math.max(...row);
      let z = 0;
      for (const v of row) z += Math.exp(v - mx);
      out[b * (T - 1) + t] = mx + Math.log(z) - (row[ids.data[b * T + t + 1] ?? 0] ?? 0);
    }
  }
  return out;
}
