// Test support: a LoadedModel with seeded random weights for any ModelSpec, built in memory, so
// graph and runtime tests need no checkpoint files.

import { type LoadedModel, type ModelSpec, W, type WeightTensor } from '../../spec.js';
import { prng, type Rand } from '../../../common/prng.js';

function normal(rand: Rand): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function baseSpec(over: Partial<ModelSpec>): ModelSpec {
  return {
    family: 'gpt2',
    architecture: 'test',
    vocabSize: 37,
    dModel: 16,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 4,
    headDim: 4,
    dFf: 24,
    maxPositions: 32,
    norm: 'layernorm',
    normEps: 1e-5,
    activation: 'gelu_new',
    gated: false,
    positional: { kind: 'learned', offset: 0 },
    parallelResidual: false,
    bias: { qkv: true, attnOut: true, mlp: true },
    tiedEmbeddings: true,
    params: 0,
    ...over,
  };
}

/** A Llama-shaped spec (64-wide heads, SwiGLU, RMSNorm, untied head) of the given widths: memory tests and the memory bench. */
export function llamaShapedSpec(D: number, F: number, L: number, V: number, over: Partial<ModelSpec> = {}): ModelSpec {
  return baseSpec({
    family: 'llama',
    vocabSize: V,
    dModel: D,
    dFf: F,
    nLayers: L,
    nHeads: D / 64,
    nKvHeads: D / 64,
    headDim: 64,
    maxPositions: 4096,
    norm: 'rmsnorm',
    normEps: 1e-6,
    activation: 'silu',
    gated: true,
    tiedEmbeddings: false,
    bias: { qkv: false, attnOut: false, mlp: false },
    positional: { kind: 'rotary', theta: 10000, rotaryDim: 64, interleaved: false },
    ...over,
  });
}

export function randomModel(spec: ModelSpec, seed = 1): LoadedModel {
  const rand = prng(seed);
  const weights = new Map<string, WeightTensor>();
  const add = (name: string, shape: number[], std: number, mean = 0): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = mean + std * normal(rand);
    weights.set(name, { shape, data });
  };
  const { dModel: D, dFf: F, nHeads: H, nKvHeads: Hkv, headDim: hd, vocabSize: V } = spec;
  const ln = spec.norm === 'layernorm';
  add(W.tokenEmbedding, [V, D], 1);
  if (spec.positional.kind === 'learned') add(W.positionEmbedding, [spec.maxPositions + spec.positional.offset, D], 0.5);
  for (let i = 0; i < spec.nLayers; i++) {
    const n = W.layer(i);
    add(n.norm1Weight, [D], 0.1, 1);
    add(n.norm2Weight, [D], 0.1, 1);
    if (ln) {
      add(n.norm1Bias, [D], 0.1);
      add(n.norm2Bias, [D], 0.1);
    }
    add(n.q, [H * hd, D], 1 / Math.sqrt(D));
    add(n.k, [Hkv * hd, D], 1 / Math.sqrt(D));
    add(n.v, [Hkv * hd, D], 1 / Math.sqrt(D));
    add(n.o, [D, H * hd], 1 / Math.sqrt(H * hd));
    if (spec.bias.qkv) {
      add(n.qBias, [H * hd], 0.1);
      add(n.kBias, [Hkv * hd], 0.1);
      add(n.vBias, [Hkv * hd], 0.1);
    }
    if (spec.bias.attnOut) add(n.oBias, [D], 0.1);
    add(n.mlpIn, [F, D], 1 / Math.sqrt(D));
    if (spec.gated) add(n.mlpGate, [F, D], 1 / Math.sqrt(D));
    add(n.mlpOut, [D, F], 1 / Math.sqrt(F));
    if (spec.moe) {
      add(n.router, [spec.moe.experts, D], 1 / Math.sqrt(D));
      if (spec.moe.shared?.gated) add(n.sharedGate, [1, D], 1 / Math.sqrt(D));
    }
    if (spec.bias.mlp) {
      add(n.mlpInBias, [F], 0.1);
      add(n.mlpOutBias, [D], 0.1);
    }
  }
  add(W.finalNormWeight, [D], 0.1, 1);
  if (ln) add(W.finalNormBias, [D], 0.1);
  if (!spec.tiedEmbeddings) add(W.lmHead, [V, D], 1 / Math.sqrt(D));
  return {
    spec,
    source: { paths: [], sha256: `random-${seed}-${JSON.stringify(spec)}`, format: 'safetensors' },
    weightNames: () => [...weights.keys()],
    weight(name) {
      const t = weights.get(name);
      if (!t) throw new Error(`random model: no weight ${name}`);
      return t;
    },
  };
}

/** Random token ids [B*T] in [0, V). */
export function randomIds(B: number, T: number, V: number, seed = 7): number[] {
  const rand = prng(seed);
  return Array.from({ length: B * T }, () => Math.floor(rand() * V));
}
