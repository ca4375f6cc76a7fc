// Test support: an independent host forward pass in plain loops and float64, written from the
// published definitions (not from the graph builder). The graph and runtime tests check the ONNX
// graph against it; the architecture tests check it, over each fixture's canonical weights,
// against the goldens of the PyTorch reference (so it also says what the spec means).

import { type LoadedModel, type ModelSpec, W } from '../../spec.js';

export interface ReferenceEdit {
  /** [L*F]: post * scale + shift for every token */
  scale: Float32Array;
  shift: Float32Array;
}

/** The edit that zeroes the given neurons (zero ablation) and leaves the others as they are. */
export function zeroAblation(spec: ModelSpec, neurons: readonly { layer: number; neuron: number }[]): ReferenceEdit {
  const scale = new Float32Array(spec.nLayers * spec.dFf).fill(1);
  for (const n of neurons) scale[n.layer * spec.dFf + n.neuron] = 0;
  return { scale, shift: new Float32Array(spec.nLayers * spec.dFf) };
}

export interface ReferenceResult {
  /** [B*T*V] */
  logits: Float64Array;
  /** per layer [B*T*F] */
  pre: Float64Array[];
  post: Float64Array[];
  /** per layer [B*T*D] */
  resid: Float64Array[];
  /** mixture-of-experts only, per layer: router probabilities [B*T*E], chosen experts and their weights [B*T*topK] (descending) */
  router?: { probs: Float64Array; experts: Int32Array; weights: Float64Array }[];
}

/** Whole experts taken out: `unrouted` (router logit -inf before the family's rule) or `zeroed` (routing kept, output 0). */
export interface ExpertAblation {
  mode: 'unrouted' | 'zeroed';
  experts: readonly { layer: number; expert: number }[];
}

/**
 * One token's routing (spec.ts MoeSpec): softmax over the router logits (-inf for unrouted experts),
 * the topK largest, renormalised when normTopK; coef[f] = the weight of unit f's expert (0 when not
 * chosen or zeroed), sigmoid(shared gate) (or 1) for shared units.
 */
export function routeToken(spec: ModelSpec, router: Float32Array, sharedGate: Float32Array | undefined, h: Vec, drop: ReadonlySet<number>, zero: ReadonlySet<number>): { coef: Float64Array; probs: Float64Array; experts: number[]; weights: number[] } {
  const moe = spec.moe;
  if (!moe) throw new Error('routeToken: not a mixture-of-experts spec');
  const { experts: E, expertFf: ff, topK: k } = moe;
  const logits = matvec(router, E, spec.dModel, h);
  for (const e of drop) logits[e] = -Infinity;
  const m = Math.max(...logits);
  const ex = logits.map((v) => Math.exp(v - m));
  const z = ex.reduce((a, b) => a + b, 0);
  const probs = ex.map((v) => v / z);
  const chosen = Array.from({ length: E }, (_, e) => e)
    .sort((a, b) => (probs[b] as number) - (probs[a] as number) || a - b)
    .slice(0, k);
  let weights = chosen.map((e) => probs[e] as number);
  if (moe.normTopK) {
    const sum = weights.reduce((a, b) => a + b, 0);
    weights = weights.map((v) => v / sum);
  }
  const coef = new Float64Array(spec.dFf);
  chosen.forEach((e, j) => {
    if (!zero.has(e)) coef.fill(weights[j] as number, e * ff, (e + 1) * ff);
  });
  if (moe.shared) {
    const g = moe.shared.gated && sharedGate ? 1 / (1 + Math.exp(-(matvec(sharedGate, 1, spec.dModel, h)[0] as number))) : 1;
    coef.fill(g, E * ff);
  }
  return { coef, probs, experts: chosen, weights };
}

type Vec = Float64Array;

function matvec(w: Float32Array, rows: number, cols: number, x: Vec, bias?: Float32Array): Vec {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = bias ? (bias[r] as number) : 0;
    for (let k = 0; k < cols; k++) s += (w[r * cols + k] as number) * (x[k] as number);
    out[r] = s;
  }
  return out;
}

function normVec(spec: ModelSpec, x: Vec, w: Float32Array, b: Float32Array | undefined): Vec {
  const n = x.length;
  const out = new Float64Array(n);
  if (spec.norm === 'layernorm') {
    let mean = 0;
    for (const v of x) mean += v;
    mean /= n;
    let variance = 0;
    for (const v of x) variance += (v - mean) ** 2;
    variance /= n;
    const inv = 1 / Math.sqrt(variance + spec.normEps);
    for (let i = 0; i < n; i++) out[i] = ((x[i] as number) - mean) * inv * (w[i] as number) + (b ? (b[i] as number) : 0);
  } else {
    let ms = 0;
    for (const v of x) ms += v * v;
    const inv = 1 / Math.sqrt(ms / n + spec.normEps);
    for (let i = 0; i < n; i++) out[i] = (x[i] as number) * inv * (w[i] as number);
  }
  return out;
}

/** erf to ~1e-14 (Taylor series near 0, continued fraction via erfc beyond). */
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

export function act(kind: ModelSpec['activation'], x: number): number {
  switch (kind) {
    case 'relu':
      return Math.max(0, x);
    case 'silu':
      return x / (1 + Math.exp(-x));
    case 'gelu':
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu_new':
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  }
}

/** Inverse frequencies in float64, Meta's apply_scaling for Llama 3, then a GGUF's rope_freqs divisors. */
function invFreq(p: ModelSpec['positional']): number[] {
  if (p.kind !== 'rotary') return [];
  const out: number[] = [];
  for (let i = 0; i < p.rotaryDim / 2; i++) {
    let f = 1 / Math.pow(p.theta, (2 * i) / p.rotaryDim);
    const s = p.llama3Scaling;
    if (s) {
      const wavelen = (2 * Math.PI) / f;
      const low = s.originalMaxPositions / s.lowFreqFactor;
      const high = s.originalMaxPositions / s.highFreqFactor;
      if (wavelen > low) f = f / s.factor;
      else if (wavelen >= high) {
        const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
        f = (1 - smooth) * (f / s.factor) + smooth * f;
      }
    }
    if (p.freqFactors) f = f / (p.freqFactors[i] as number);
    out.push(f);
  }
  return out;
}

/** Rotates one head vector in place at position pos. */
function rotate(p: ModelSpec['positional'], v: Vec, off: number, pos: number, inv: number[]): void {
  if (p.kind !== 'rotary') return;
  const half = p.rotaryDim / 2;
  for (let i = 0; i < half; i++) {
    const a = pos * (inv[i] as number);
    const [ia, ib] = p.interleaved ? [off + 2 * i, off + 2 * i + 1] : [off + i, off + i + half];
    const x1 = v[ia] as number;
    const x2 = v[ib] as number;
    const s = p.attentionFactor ?? 1; // LongRoPE scales cos and sin
    v[ia] = (x1 * Math.cos(a) - x2 * Math.sin(a)) * s;
    v[ib] = (x2 * Math.cos(a) + x1 * Math.sin(a)) * s;
  }
}

export function referenceForward(model: LoadedModel, ids: readonly number[], B: number, T: number, edit?: ReferenceEdit, experts?: ExpertAblation): ReferenceResult {
  const spec = model.spec;
  const { dModel: D, dFf: F, nHeads: H, nKvHeads: Hkv, headDim: hd, vocabSize: V, nLayers: L } = spec;
  const has = new Set(model.weightNames());
  const w = (n: string): Float32Array => model.weight(n).data;
  const opt = (n: string): Float32Array | undefined => (has.has(n) ? w(n) : undefined);
  const inv = invFreq(spec.positional);
  // Gemma 3: the sliding-window layers have their own rotary base
  const localPos = spec.localPositional ?? spec.positional;
  const invLocal = invFreq(localPos);
  const softcap = (v: number, cap: number | undefined): number => (cap === undefined ? v : cap * Math.tanh(v / cap));
  const result: ReferenceResult = { logits: new Float64Array(B * T * V), pre: [], post: [], resid: [] };

  // x[b*T+t] residual vectors
  let x: Vec[] = [];
  const E = w(W.tokenEmbedding);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const id = ids[b * T + t] as number;
      const v = new Float64Array(D);
      for (let d = 0; d < D; d++) v[d] = (E[id * D + d] as number) * (spec.embedScale ?? 1);
      if (spec.positional.kind === 'learned') {
        const P = w(W.positionEmbedding);
        const row = t + spec.positional.offset;
        for (let d = 0; d < D; d++) v[d] = (v[d] as number) + (P[row * D + d] as number);
      }
      x.push(v);
    }
  }

  for (let l = 0; l < L; l++) {
    const n = W.layer(l);
    const h1 = x.map((v) => normVec(spec, v, w(n.norm1Weight), opt(n.norm1Bias)));
    const q = h1.map((h) => matvec(w(n.q), H * hd, D, h, opt(n.qBias)));
    const k = h1.map((h) => matvec(w(n.k), Hkv * hd, D, h, opt(n.kBias)));
    const vv = h1.map((h) => matvec(w(n.v), Hkv * hd, D, h, opt(n.vBias)));
    if (spec.qkNormWhole) {
      // OLMoE: RMSNorm over the whole q and k projections, before the head split
      for (const vec of q) vec.set(normVec(spec, vec, w(n.qNorm), undefined));
      for (const vec of k) vec.set(normVec(spec, vec, w(n.kNorm), undefined));
    }
    if (spec.qkNorm) {
      // RMSNorm of each head's q and k over its headDim values
      const headNorm = (vecs: Vec[], heads: number, weight: Float32Array): void => {
        for (const vec of vecs) for (let hh = 0; hh < heads; hh++) vec.set(normVec(spec, vec.subarray(hh * hd, (hh + 1) * hd), weight, undefined), hh * hd);
      };
      headNorm(q, H, w(n.qNorm));
      headNorm(k, Hkv, w(n.kNorm));
    }
    const local = spec.slidingWindow?.layers[l] === true;
    const [layerPos, layerInv] = local ? [localPos, invLocal] : [spec.positional, inv];
    for (let r = 0; r < B * T; r++) {
      const pos = r % T;
      for (let hh = 0; hh < H; hh++) rotate(layerPos, q[r] as Vec, hh * hd, pos, layerInv);
      for (let hh = 0; hh < Hkv; hh++) rotate(layerPos, k[r] as Vec, hh * hd, pos, layerInv);
    }
    // keys s of query t: first..t (a sliding-window layer sees only the last `size` positions)
    const firstKey = (t: number): number => (local ? Math.max(0, t - (spec.slidingWindow?.size ?? 0) + 1) : 0);
    const scale = spec.attnScale ?? 1 / Math.sqrt(hd);
    const attnOut: Vec[] = [];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const ctx = new Float64Array(H * hd);
        for (let hh = 0; hh < H; hh++) {
          const kv = Math.floor(hh / (H / Hkv));
          const scores: number[] = [];
          const s0 = firstKey(t);
          for (let s = s0; s <= t; s++) {
            let dot = 0;
            for (let d = 0; d < hd; d++) dot += ((q[b * T + t] as Vec)[hh * hd + d] as number) * ((k[b * T + s] as Vec)[kv * hd + d] as number);
            scores.push(softcap(dot * scale, spec.attnSoftcap));
          }
          const m = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - m));
          const z = e.reduce((a, c) => a + c, 0);
          for (let s = s0; s <= t; s++) {
            for (let d = 0; d < hd; d++) ctx[hh * hd + d] = (ctx[hh * hd + d] as number) + ((e[s - s0] as number) / z) * ((vv[b * T + s] as Vec)[kv * hd + d] as number);
          }
        }
        const o = matvec(w(n.o), D, H * hd, ctx, opt(n.oBias));
        attnOut.push(spec.postNorms ? normVec(spec, o, w(n.postAttnNorm), undefined) : o);
      }
    }
    const mid = x.map((v, r) => v.map((a, d) => a + ((attnOut[r] as Vec)[d] as number)));
    const ffnIn = (spec.parallelResidual ? x : mid).map((v) => normVec(spec, v, w(n.norm2Weight), opt(n.norm2Bias)));
    const pre = new Float64Array(B * T * F);
    const post = new Float64Array(B * T * F);
    const next: Vec[] = [];
    const moe = spec.moe;
    const inLayer = (e: { layer: number; expert: number }[] | undefined): Set<number> => new Set((e ?? []).filter((x) => x.layer === l).map((x) => x.expert));
    const drop = inLayer(experts?.mode === 'unrouted' ? [...experts.experts] : undefined);
    const zero = inLayer(experts?.mode === 'zeroed' ? [...experts.experts] : undefined);
    const routed = moe ? { probs: new Float64Array(B * T * moe.experts), experts: new Int32Array(B * T * moe.topK), weights: new Float64Array(B * T * moe.topK) } : undefined;
    ffnIn.forEach((h, r) => {
      // mixture of experts: every unit is computed; W_out reads it times its expert's routing weight
      const route = moe ? routeToken(spec, w(n.router), opt(n.sharedGate), h, drop, zero) : undefined;
      if (route && routed && moe) {
        routed.probs.set(route.probs, r * moe.experts);
        routed.experts.set(route.experts, r * moe.topK);
        routed.weights.set(route.weights, r * moe.topK);
      }
      const up = matvec(w(n.mlpIn), F, D, h, opt(n.mlpInBias));
      const gate = spec.gated ? matvec(w(n.mlpGate), F, D, h) : up;
      const neuron = new Float64Array(F);
      for (let f = 0; f < F; f++) {
        let a = act(spec.activation, gate[f] as number);
        if (spec.gated) a *= up[f] as number;
        if (edit) a = a * (edit.scale[l * F + f] as number) + (edit.shift[l * F + f] as number);
        pre[r * F + f] = gate[f] as number;
        post[r * F + f] = a;
        neuron[f] = route ? a * (route.coef[f] as number) : a;
      }
      const raw = matvec(w(n.mlpOut), D, F, neuron, opt(n.mlpOutBias));
      const out = spec.postNorms ? normVec(spec, raw, w(n.postMlpNorm), undefined) : raw;
      next.push((mid[r] as Vec).map((a, d) => a + (out[d] as number)));
    });
    x = next;
    result.pre.push(pre);
    result.post.push(post);
    if (routed) (result.router ??= []).push(routed);
    const resid = new Float64Array(B * T * D);
    x.forEach((v, r) => resid.set(v, r * D));
    result.resid.push(resid);
  }

  const head = has.has(W.lmHead) ? w(W.lmHead) : E;
  x.forEach((v, r) => {
    const h = normVec(spec, v, w(W.finalNormWeight), opt(W.finalNormBias));
    result.logits.set(
      matvec(head, V, D, h).map((v) => softcap(v, spec.finalSoftcap)),
      r * V,
    );
  });
  return result;
}

/** log-softmax of each row of [rows * V]. */
export function logSoftmaxRows(logits: Float64Array, V: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / V; r++) {
    const row = logits.subarray(r * V, (r + 1) * V);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
    for (let v = 0; v < V; v++) out[r * V + v] = (row[v] as number) - lse;
  }
  return out;
}
