// Test support: small specs covering every ModelSpec feature, and array comparison helpers.

import { type ModelSpec } from '../../spec.js';
import { baseSpec } from './random-model.js';

const rotaryBase = { nHeads: 4, headDim: 8, dModel: 32, dFf: 20, norm: 'rmsnorm', normEps: 1e-6, bias: { qkv: false, attnOut: false, mlp: false } } as const;

export const testSpecs = {
  // layernorm, learned positions, gelu_new, all biases, tied head
  gpt2: baseSpec({ family: 'gpt2' }),
  // learned positions with offset 2, relu, tied
  opt: baseSpec({ family: 'opt', activation: 'relu', positional: { kind: 'learned', offset: 2 }, nLayers: 3 }),
  // rmsnorm, rotate-half rotary, GQA 4/2, SwiGLU, untied
  llama: baseSpec({ ...rotaryBase, family: 'llama', nKvHeads: 2, activation: 'silu', gated: true, tiedEmbeddings: false, positional: { kind: 'rotary', theta: 10000, rotaryDim: 8, interleaved: false } }),
  // llama3 frequency scaling (one frequency in each regime), q/k/v biases, tied, GQA 4/1
  llama3: baseSpec({
    ...rotaryBase,
    family: 'llama',
    nKvHeads: 1,
    activation: 'silu',
    gated: true,
    bias: { qkv: true, attnOut: false, mlp: false },
    positional: { kind: 'rotary', theta: 10000, rotaryDim: 8, interleaved: false, llama3Scaling: { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 } },
  }),
  // llama2.c: interleaved pairs, kv heads = heads
  llama2c: baseSpec({ ...rotaryBase, family: 'llama', nKvHeads: 4, activation: 'silu', gated: true, positional: { kind: 'rotary', theta: 10000, rotaryDim: 8, interleaved: true } }),
  // NeoX: partial rotary, parallel residual, exact gelu, untied, biases
  neox: baseSpec({
    family: 'neox',
    nHeads: 4,
    headDim: 8,
    dModel: 32,
    activation: 'gelu',
    parallelResidual: true,
    tiedEmbeddings: false,
    positional: { kind: 'rotary', theta: 10000, rotaryDim: 4, interleaved: false },
  }),
} satisfies Record<string, ModelSpec>;

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    m = Math.max(m, Number.isNaN(d) ? Infinity : d);
  }
  return m;
}

/** Rows [from, to) of a row-major array with `width` values per row. */
export function rows<T extends Float32Array | Float64Array>(a: T, from: number, to: number, width: number): T {
  return a.subarray(from * width, to * width) as T;
}
