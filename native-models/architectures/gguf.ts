// GGUF checkpoints (llama.cpp): the architecture and its sizes come from the GGUF metadata
// (`general.architecture`, then `<arch>.block_count`, `<arch>.embedding_length`, ...), the
// weights from llama.cpp's tensor names (token_embd, blk.N.attn_q, ..., output_norm, output).
// The reader gives every tensor row-major ([out, in] for matrices, like torch.nn.Linear: GGUF's
// ne reversed) and dequantized, so no tensor is transposed here.
//
// Rotary and llama.cpp's Q/K permutation: convert_hf_to_gguf.py permutes the rows of attn_q and
// attn_k of `llama` models (LlamaModel.permute: reshape(n_head, 2, rows/n_head/2, cols)
// .swapaxes(1, 2); n_head = n_head_kv for K) so that ggml's "normal" rope, which rotates ADJACENT
// pairs (2i, 2i+1) as Meta's and llama2.c's code do, equals HF's rotate_half on the original
// rows. We keep the permuted rows as they are and say `interleaved: true` rather than undoing the
// permutation: it is exact (the same rows times the same rotation; q.k is unchanged by permuting
// both alike within each head), needs no copy, and leaves the canonical weights = the file's
// tensors, so a weight index seen in the app is the index in the .gguf. `qwen2` is converted
// WITHOUT the permutation and llama.cpp runs it with NEOX rope (llama_model_rope_type: QWEN2 ->
// LLAMA_ROPE_TYPE_NEOX, "pairs offset by n_rot/2") = HF's rotate_half: `interleaved: false`.
// `gpt2` has learned positions and its Conv1D weights were transposed to [out, in] by the converter.
// Mixtral-style MoE (`llama` with `llama.expert_count`): the router and stacked experts, gguf-moe.ts.

import type { CheckpointReader } from '../formats/checkpoint.js';
import type { Positional } from '../spec.js';
import { ArchitectureError, type Dims, LIMITS, MapContext, type Mapper, type Mapping } from './common.js';
import { GGUF_DENSE_ARCHITECTURES, mapGgufDense } from './gguf-dense.js';
import { ggufMixtral } from './gguf-moe.js';

/** `general.architecture` values this mapper takes (Mistral GGUFs say "llama"). */
export const GGUF_ARCHITECTURES: readonly string[] = ['llama', 'qwen2', 'gpt2', ...GGUF_DENSE_ARCHITECTURES];

const LABEL = 'GGUF metadata';

/** The metadata with 64-bit integers (bigint, when the reader gives them so) as numbers when exact. */
function plainMetadata(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    out[k] = typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  }
  return out;
}

/** Tensor shape, or undefined when the tensor is absent. */
function shapeOf(reader: CheckpointReader, name: string): number[] | undefined {
  return reader.tensors.get(name)?.shape;
}

/**
 * The rope_freqs tensor: rotaryDim/2 positive finite divisors of the rotary frequencies (llama.cpp
 * ggml_rope_ext's freq_factors). Small (a few dozen floats), so it is read while mapping.
 */
function ropeFreqFactors(reader: CheckpointReader, where: string, rotaryDim: number): number[] {
  const name = 'rope_freqs.weight';
  const shape = shapeOf(reader, name) ?? [];
  if (shape.length !== 1 || shape[0] !== rotaryDim / 2) {
    throw new ArchitectureError(where, `tensor "${name}" has shape [${shape.join(', ')}]; expected [${rotaryDim / 2}] (one factor per rotary frequency, rope dimension ${rotaryDim} / 2)`, name);
  }
  const values = Array.from(reader.read(name));
  const bad = values.findIndex((v) => !Number.isFinite(v) || v <= 0);
  if (bad >= 0) throw new ArchitectureError(where, `tensor "${name}" has ${values[bad]} at index ${bad}; expected positive finite frequency factors`, name);
  return values;
}

export const ggufMapper: Mapper = {
  architectures: GGUF_ARCHITECTURES,
  modelTypes: [],
  map(reader: CheckpointReader): Mapping {
    if (reader.config === null) throw new ArchitectureError(reader.paths[0] ?? '(checkpoint)', `no ${LABEL}; expected the GGUF key/values`, 'general.architecture');
    const c: MapContext = new MapContext(reader, LABEL, plainMetadata(reader.config));
    const arch = c.config['general.architecture'];
    if (typeof arch !== 'string' || !GGUF_ARCHITECTURES.includes(arch)) {
      c.fail('general.architecture', arch, `one of ${GGUF_ARCHITECTURES.join(', ')} (the GGUF architectures this app maps)`);
    }
    const k = (key: string): string => `${arch}.${key}`;

    const L = c.int(k('block_count'), { min: 1, max: LIMITS.layers });
    const D = c.int(k('embedding_length'), { min: 1, max: LIMITS.dim });
    const H = c.int(k('attention.head_count'), { min: 1, max: D });
    const P = c.int(k('context_length'), { min: 1, max: LIMITS.positions });
    const experts = c.int(k('expert_count'), { min: 0, max: LIMITS.dim, default: 0 });
    if (experts > 0 && arch !== 'llama') c.fail(k('expert_count'), experts, `0 or absent (mixture-of-experts FFNs are supported for the llama architecture, i.e. Mixtral, not for ${arch})`);

    // The vocabulary: the rows of token_embd; the tokenizer and <arch>.vocab_size must agree.
    const embd = shapeOf(reader, 'token_embd.weight');
    if (!embd || embd.length !== 2) {
      throw new ArchitectureError(c.where, `tensor "token_embd.weight" is ${embd ? `of shape [${embd.join(', ')}]` : 'missing'}; expected [vocab, ${D}]`, 'token_embd.weight');
    }
    const V = embd[0] ?? 0;
    if (V < 1 || V > LIMITS.vocab) throw new ArchitectureError(c.where, `tensor "token_embd.weight" has ${V} rows; expected a vocabulary of 1..${LIMITS.vocab}`, 'token_embd.weight');
    const vocabKey = k('vocab_size');
    if (c.config[vocabKey] !== undefined && c.int(vocabKey, { min: 1, max: LIMITS.vocab }) !== V) c.fail(vocabKey, c.config[vocabKey], `${V} (the rows of token_embd.weight)`);
    const tokens = c.config['tokenizer.ggml.tokens'];
    if (Array.isArray(tokens) && tokens.length !== V) c.fail('tokenizer.ggml.tokens', `(${tokens.length} tokens)`, `${V} tokens (the rows of token_embd.weight)`);

    const tied = !c.has('output.weight');
    // qwen3, phi3, gemma2, gemma3: gguf-dense.ts
    if (GGUF_DENSE_ARCHITECTURES.includes(arch)) return mapGgufDense(c, { arch, V, L, D, H, P, tied });

    if (arch === 'gpt2') {
      if (D % H !== 0) c.fail(k('attention.head_count'), H, `a divisor of ${k('embedding_length')} (${D})`);
      const F = c.int(k('feed_forward_length'), { min: 1, max: LIMITS.dim, default: 4 * D });
      const eps = c.num(k('attention.layer_norm_epsilon'), { above: 0, max: 0.1, default: 1e-5 });
      const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: H, headDim: D / H, dFf: F };
      c.decoder(dims, {
        tokenEmbedding: 'token_embd.weight',
        positionEmbedding: { tensor: 'position_embd.weight', rows: P },
        layer: (i) => {
          const b = `blk.${i}.`;
          return {
            norm1: `${b}attn_norm.weight`,
            norm1Bias: `${b}attn_norm.bias`,
            // attn_qkv [3D, D]: q, k, v are consecutive blocks of D rows (GPT-2's c_attn transposed)
            attention: { qkv: `${b}attn_qkv.weight`, qkvBias: `${b}attn_qkv.bias`, rows: (part) => [[part * D, D]] },
            o: `${b}attn_output.weight`,
            oBias: `${b}attn_output.bias`,
            norm2: `${b}ffn_norm.weight`,
            norm2Bias: `${b}ffn_norm.bias`,
            mlpIn: `${b}ffn_up.weight`,
            mlpInBias: `${b}ffn_up.bias`,
            mlpOut: `${b}ffn_down.weight`,
            mlpOutBias: `${b}ffn_down.bias`,
          };
        },
        finalNorm: 'output_norm.weight',
        finalNormBias: 'output_norm.bias',
        lmHead: tied ? undefined : 'output.weight',
      });
      return c.finish({
        family: 'gpt2',
        architecture: arch,
        ...dims,
        maxPositions: P,
        norm: 'layernorm',
        normEps: eps,
        activation: 'gelu_new', // ggml_gelu: the tanh approximation
        gated: false,
        positional: { kind: 'learned', offset: 0 },
        parallelResidual: false,
        bias: { qkv: true, attnOut: true, mlp: true },
        tiedEmbeddings: tied,
      });
    }

    // llama (incl. Mistral-style) and qwen2
    const KV = c.int(k('attention.head_count_kv'), { min: 1, max: H, default: H });
    if (H % KV !== 0) c.fail(k('attention.head_count_kv'), KV, `a divisor of ${k('attention.head_count')} (${H})`);
    const keyLen = c.config[k('attention.key_length')];
    if (keyLen === undefined && D % H !== 0) c.fail(k('attention.head_count'), H, `a divisor of ${k('embedding_length')} (${D}), or an ${k('attention.key_length')}`);
    const hd = c.int(k('attention.key_length'), { min: 2, max: LIMITS.dim, default: D / H });
    const valueLen = c.int(k('attention.value_length'), { min: 1, max: LIMITS.dim, default: hd });
    if (valueLen !== hd) c.fail(k('attention.value_length'), valueLen, `${hd} (= ${k('attention.key_length')}; different key and value head sizes are not supported)`);
    const moe = experts > 0 ? ggufMixtral(c, experts) : undefined;
    const F = moe ? moe.spec.experts * moe.spec.expertFf : c.int(k('feed_forward_length'), { min: 1, max: LIMITS.dim });
    const eps = c.num(k('attention.layer_norm_rms_epsilon'), { above: 0, max: 0.1, default: 1e-5 });
    const theta = c.num(k('rope.freq_base'), { above: 0, default: 10000 });
    const rotaryDim = c.int(k('rope.dimension_count'), { min: 2, max: hd, default: hd });
    if (rotaryDim % 2 !== 0) c.fail(k('rope.dimension_count'), rotaryDim, 'an even number (rotary pairs)');

    // Rope scaling: linear/yarn are not supported. Llama 3.1/3.2's "llama3" scaling arrives as the
    // rope_freqs tensor (convert_hf_to_gguf.py writes it; llama.cpp divides each rotary angle by
    // freq_factors[i]), read below into positional.freqFactors.
    const scalingType = c.config[k('rope.scaling.type')];
    if (scalingType !== undefined && scalingType !== 'none') {
      const factor = c.config[k('rope.scaling.factor')];
      if (!(scalingType === 'linear' && factor === 1)) c.fail(k('rope.scaling.type'), scalingType, '"none" (rope scaling is not supported for GGUF models)');
    }
    const factor = c.config[k('rope.scaling.factor')];
    if (factor !== undefined && factor !== 1 && factor !== 0) c.fail(k('rope.scaling.factor'), factor, '1 or absent (rope scaling is not supported for GGUF models)');
    const freqFactors = c.has('rope_freqs.weight') ? ropeFreqFactors(reader, c.where, rotaryDim) : undefined;
    for (const part of ['gate', 'up', 'down']) {
      if (c.has(`blk.0.ffn_${part}.bias`)) throw new ArchitectureError(c.where, `tensor "blk.0.ffn_${part}.bias": FFN biases are not supported for ${arch} (the canonical weights have no gate bias)`, `blk.0.ffn_${part}.bias`);
    }

    const qkvBias = c.has('blk.0.attn_q.bias');
    const oBias = c.has('blk.0.attn_output.bias');
    const positional: Positional = { kind: 'rotary', theta, rotaryDim, interleaved: arch === 'llama', ...(freqFactors ? { freqFactors } : {}) };
    const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: KV, headDim: hd, dFf: F };
    c.decoder(dims, {
      tokenEmbedding: 'token_embd.weight',
      layer: (i) => {
        const b = `blk.${i}.`;
        return {
          norm1: `${b}attn_norm.weight`,
          attention: {
            q: `${b}attn_q.weight`,
            k: `${b}attn_k.weight`,
            v: `${b}attn_v.weight`,
            qBias: qkvBias ? `${b}attn_q.bias` : undefined,
            kBias: qkvBias ? `${b}attn_k.bias` : undefined,
            vBias: qkvBias ? `${b}attn_v.bias` : undefined,
          },
          o: `${b}attn_output.weight`,
          oBias: oBias ? `${b}attn_output.bias` : undefined,
          norm2: `${b}ffn_norm.weight`,
          ...(moe ? { moe: moe.tensors(i) } : {}),
          mlpGate: `${b}ffn_gate.weight`,
          mlpIn: `${b}ffn_up.weight`,
          mlpOut: `${b}ffn_down.weight`,
        };
      },
      finalNorm: 'output_norm.weight',
      lmHead: tied ? undefined : 'output.weight',
    });
    return c.finish({
      family: 'llama',
      architecture: arch,
      ...dims,
      maxPositions: P,
      norm: 'rmsnorm',
      normEps: eps,
      activation: 'silu',
      gated: true,
      positional,
      parallelResidual: false,
      bias: { qkv: qkvBias, attnOut: oBias, mlp: false },
      tiedEmbeddings: tied,
      ...(moe ? { moe: moe.spec } : {}),
    });
  },
};
