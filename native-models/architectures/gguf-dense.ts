// GGUF files of the 2024-2025 dense families, as llama.cpp's convert_hf_to_gguf.py writes them
// and llama.cpp runs them (llama-model.cpp): general.architecture qwen3, phi3, gemma2, gemma3.
// gguf.ts reads what every GGUF shares (sizes, vocabulary, tied head) and hands these here.
//
// What llama.cpp does differently from the Hugging Face path, and how it is followed here:
// - no Q/K row permutation for these (their rope type is NEOX = HF's rotate_half): interleaved false;
// - Gemma: the converter already added 1 to every norm weight (`norm.weight` + 1), so the stored
//   values are used as they are; the embeddings are scaled by sqrtf(n_embd) in float32;
// - Gemma: llama.cpp has no query_pre_attn_scalar key; it scales q by 1/sqrt(head_dim), except the
//   27B models (gemma2: 46 layers, gemma3: 62), whose scale is 1/sqrt(n_embd / n_head) — the same
//   numbers as their HF query_pre_attn_scalar. Followed as llama.cpp decides it, by layer count;
// - Gemma 2: sliding window on even layers (llama.cpp set_swa_pattern(2)); soft-capping from
//   <arch>.attn_logit_softcapping / .final_logit_softcapping, llama.cpp's defaults 50 / 30 when absent;
// - Gemma 3: every 6th layer global (set_swa_pattern(6); <arch>.attention.sliding_window_pattern
//   when present); local layers rotate with base 10000 (llama.cpp's rope_freq_base_train_swa, not
//   in the metadata), global ones with <arch>.rope.freq_base and the linear <arch>.rope.scaling.factor;
// - Phi-3: fused attn_qkv [(H + 2 KV) * hd, D] and ffn_up [2 F, D] (gate half first: ggml_swiglu
//   takes silu of the first half); LongRoPE arrives as rope_factors_long/short tensors: refused.

import type { ModelSpec, Positional } from '../spec.js';
import { ArchitectureError, type Dims, LIMITS, type LayerTensors, type MapContext, type Mapping } from './common.js';

export const GGUF_DENSE_ARCHITECTURES: readonly string[] = ['qwen3', 'phi3', 'gemma2', 'gemma3'];

/** What gguf.ts has already read from the metadata and the tensor table. */
export interface GgufBasics {
  arch: string;
  V: number;
  L: number;
  D: number;
  H: number;
  P: number;
  tied: boolean;
}

export function mapGgufDense(c: MapContext, b: GgufBasics): Mapping {
  const { arch, V, L, D, H, P, tied } = b;
  const k = (key: string): string => `${arch}.${key}`;
  const gemma = arch === 'gemma2' || arch === 'gemma3';
  const KV = c.int(k('attention.head_count_kv'), { min: 1, max: H, default: H });
  if (H % KV !== 0) c.fail(k('attention.head_count_kv'), KV, `a divisor of ${k('attention.head_count')} (${H})`);
  if (c.config[k('attention.key_length')] === undefined && D % H !== 0) c.fail(k('attention.head_count'), H, `a divisor of ${k('embedding_length')} (${D}), or an ${k('attention.key_length')}`);
  const hd = c.int(k('attention.key_length'), { min: 2, max: LIMITS.dim, default: D / H });
  const valueLen = c.int(k('attention.value_length'), { min: 1, max: LIMITS.dim, default: hd });
  if (valueLen !== hd) c.fail(k('attention.value_length'), valueLen, `${hd} (= ${k('attention.key_length')}; different key and value head sizes are not supported)`);
  const F = c.int(k('feed_forward_length'), { min: 1, max: LIMITS.dim });
  const eps = c.num(k('attention.layer_norm_rms_epsilon'), { above: 0, max: 0.1, default: gemma ? 1e-6 : 1e-5 });
  const theta = c.num(k('rope.freq_base'), { above: 0, default: arch === 'gemma3' ? 1_000_000 : 10000 });
  const rotaryDim = c.int(k('rope.dimension_count'), { min: 2, max: hd, default: hd });
  if (rotaryDim % 2 !== 0) c.fail(k('rope.dimension_count'), rotaryDim, 'an even number (rotary pairs)');
  for (const t of ['rope_factors_long.weight', 'rope_factors_short.weight']) {
    if (c.has(t)) throw new ArchitectureError(c.where, `tensor "${t}": LongRoPE scaling (Phi-3 128k-context models) is not supported; use a 4k-context variant`, t);
  }

  // rope scaling: only gemma3's linear factor (its global layers); none elsewhere
  const positional: Positional = { kind: 'rotary', theta, rotaryDim, interleaved: false };
  const scalingType = c.config[k('rope.scaling.type')];
  const factor = c.config[k('rope.scaling.factor')];
  if (scalingType !== undefined && scalingType !== 'none') {
    if (arch === 'gemma3' && scalingType === 'linear') {
      const f = c.num(k('rope.scaling.factor'), { above: 0 });
      if (f !== 1) positional.freqFactors = new Array<number>(rotaryDim / 2).fill(f);
    } else if (!(scalingType === 'linear' && factor === 1)) {
      c.fail(k('rope.scaling.type'), scalingType, arch === 'gemma3' ? '"none" or "linear"' : '"none" (rope scaling is not supported for this GGUF architecture)');
    }
  } else if (factor !== undefined && factor !== 1 && factor !== 0) {
    c.fail(k('rope.scaling.factor'), factor, '1 or absent (rope scaling without a type)');
  }
  for (const part of ['gate', 'up', 'down']) {
    if (c.has(`blk.0.ffn_${part}.bias`)) throw new ArchitectureError(c.where, `tensor "blk.0.ffn_${part}.bias": FFN biases are not supported for ${arch}`, `blk.0.ffn_${part}.bias`);
  }
  const qkvBias = c.has('blk.0.attn_q.bias');
  const oBias = c.has('blk.0.attn_output.bias');
  const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: KV, headDim: hd, dFf: F };

  const extra: Partial<ModelSpec> = {};
  let maxPositions = P;
  if (arch === 'qwen3') extra.qkNorm = true;
  if (arch === 'phi3') {
    // as the HF path: a sliding window over every layer equals full attention up to it
    maxPositions = Math.min(P, c.int(k('attention.sliding_window'), { min: 1, max: LIMITS.positions, default: P }));
  }
  if (gemma) {
    const g3 = arch === 'gemma3';
    if (g3) extra.qkNorm = true;
    extra.postNorms = true;
    extra.embedScale = Math.fround(Math.sqrt(D)); // llama.cpp: ggml_scale(inpL, sqrtf(n_embd))
    const is27b = L === (g3 ? 62 : 46);
    extra.attnScale = is27b ? 1 / Math.sqrt(Math.floor(D / H)) : 1 / Math.sqrt(hd);
    const window = c.int(k('attention.sliding_window'), { min: 1, max: LIMITS.positions, default: 4096 });
    const pattern = g3 ? c.int(k('attention.sliding_window_pattern'), { min: 1, max: LIMITS.layers, default: 6 }) : 2;
    // llama.cpp set_swa_pattern(n): layer il is local when il % n < n - 1
    extra.slidingWindow = { size: window, layers: Array.from({ length: L }, (_, i) => i % pattern < pattern - 1) };
    if (g3) {
      for (const key of ['attn_logit_softcapping', 'final_logit_softcapping']) {
        if (c.config[k(key)] !== undefined) c.fail(k(key), c.config[k(key)], 'absent (llama.cpp does not soft-cap gemma3)');
      }
      extra.localPositional = { kind: 'rotary', theta: 10000, rotaryDim, interleaved: false };
    } else {
      extra.attnSoftcap = c.num(k('attn_logit_softcapping'), { above: 0, default: 50 });
      extra.finalSoftcap = c.num(k('final_logit_softcapping'), { above: 0, default: 30 });
    }
  }

  const q = H * hd;
  const kv = KV * hd;
  const qkvRows: Array<Array<[number, number]>> = [[[0, q]], [[q, kv]], [[q + kv, kv]]];
  c.decoder(dims, {
    tokenEmbedding: 'token_embd.weight',
    layer: (i) => {
      const p = `blk.${i}.`;
      const t: LayerTensors = {
        norm1: `${p}attn_norm.weight`,
        attention: c.has(`${p}attn_qkv.weight`)
          ? { qkv: `${p}attn_qkv.weight`, rows: (part) => qkvRows[part] ?? [] }
          : {
              q: `${p}attn_q.weight`,
              k: `${p}attn_k.weight`,
              v: `${p}attn_v.weight`,
              qBias: qkvBias ? `${p}attn_q.bias` : undefined,
              kBias: qkvBias ? `${p}attn_k.bias` : undefined,
              vBias: qkvBias ? `${p}attn_v.bias` : undefined,
            },
        o: `${p}attn_output.weight`,
        oBias: oBias ? `${p}attn_output.bias` : undefined,
        qNorm: extra.qkNorm ? `${p}attn_q_norm.weight` : undefined,
        kNorm: extra.qkNorm ? `${p}attn_k_norm.weight` : undefined,
        postAttnNorm: gemma ? `${p}post_attention_norm.weight` : undefined,
        norm2: `${p}ffn_norm.weight`,
        postMlpNorm: gemma ? `${p}post_ffw_norm.weight` : undefined,
        mlpIn: `${p}ffn_up.weight`,
        mlpOut: `${p}ffn_down.weight`,
      };
      // Phi-3's ffn_up is gate and up in one [2F, D] tensor (no ffn_gate)
      if (arch === 'phi3' && !c.has(`${p}ffn_gate.weight`)) t.gateUp = `${p}ffn_up.weight`;
      else t.mlpGate = `${p}ffn_gate.weight`;
      return t;
    },
    finalNorm: 'output_norm.weight',
    lmHead: tied ? undefined : 'output.weight',
  });
  return c.finish({
    family: arch === 'phi3' ? 'phi3' : gemma ? 'gemma' : 'llama',
    architecture: arch,
    ...dims,
    maxPositions,
    norm: 'rmsnorm',
    normEps: eps,
    activation: gemma ? 'gelu_new' : 'silu',
    gated: true,
    positional,
    parallelResidual: false,
    bias: { qkv: qkvBias, attnOut: oBias, mlp: false },
    tiedEmbeddings: tied,
    ...extra,
  });
}
