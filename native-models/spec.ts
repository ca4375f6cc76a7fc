// The common description of a decoder-only transformer that every architecture maps to, and
// the canonical weight names the graph builder reads. Readers (formats/) know files; mappers
// (architectures/) know families; the graph builder (graph/) knows only this file.

/** Index of a transformer block, 0-based. */
export type LayerIndex = number & { readonly __brand?: 'LayerIndex' };
/** Index of an FFN hidden unit within its layer, 0-based. */
export type NeuronIndex = number & { readonly __brand?: 'NeuronIndex' };
/** One FFN neuron of a model. */
export interface NeuronId {
  layer: LayerIndex;
  neuron: NeuronIndex;
}
/** Token ids as the model's vocabulary numbers them. */
export type Tokens = Int32Array | readonly number[];

export type Family = 'gpt2' | 'llama' | 'neox' | 'opt' | 'phi3' | 'gemma';

/**
 * The FFN nonlinearity. gelu_new / gelu_pytorch_tanh: the tanh approximation; gelu: exact (erf).
 */
export type Activation = 'gelu_new' | 'gelu' | 'relu' | 'silu';

export type Positional =
  | { kind: 'learned'; /** OPT adds 2 to every position id */ offset: number }
  | {
      kind: 'rotary';
      theta: number;
      /** number of leading head dims rotated (NeoX rotary_pct < 1); = headDim for Llama */
      rotaryDim: number;
      /** true: pairs (2i, 2i+1) as llama2.c/Meta; false: halves (i, i + d/2) as HF rotate_half */
      interleaved: boolean;
      /** Llama 3.1 "llama3" rope scaling of the inverse frequencies; absent when none */
      llama3Scaling?: { factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };
      /**
       * Per-frequency divisors, rotaryDim/2 of them: inv_freq[i] / freqFactors[i] (llama.cpp's
       * rope_freqs tensor, how Llama 3.1/3.2 GGUFs carry their rope scaling); absent when none.
       * Applied after llama3Scaling (a checkpoint has one or the other).
       */
      freqFactors?: number[];
      /**
       * LongRoPE (Phi-3.5, Phi-4-mini): cos and sin are multiplied by this attention factor (its
       * per-frequency short factors are freqFactors); absent: 1
       */
      attentionFactor?: number;
    };

export interface ModelSpec {
  family: Family;
  /** the architecture name as the checkpoint states it, e.g. GPT2LMHeadModel, LlamaForCausalLM, llama2.c */
  architecture: string;
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  headDim: number;
  /** FFN hidden width: the number of neurons per layer */
  dFf: number;
  maxPositions: number;
  norm: 'layernorm' | 'rmsnorm';
  normEps: number;
  activation: Activation;
  /** true: neuron = act(gate(x)) * in(x) (SwiGLU); false: neuron = act(in(x)) */
  gated: boolean;
  positional: Positional;
  /** NeoX: x + attn(ln1(x)) + mlp(ln2(x)); otherwise sequential */
  parallelResidual: boolean;
  /** which optional biases exist (each present tensor is listed in the weight names below) */
  bias: { qkv: boolean; attnOut: boolean; mlp: boolean };
  /** lm_head shares the token embedding matrix */
  tiedEmbeddings: boolean;
  /** number of parameters counted once (tied matrices once) */
  params: number;
  /**
   * Qwen3, Gemma 3: RMSNorm (eps normEps) over each head's q and k before the rotary, weights
   * W.layer(i).qNorm / kNorm [headDim]; absent when none
   */
  qkNorm?: boolean;
  /**
   * Gemma 2/3 "sandwich" norms: the attention output and the FFN output are each normed
   * (W.layer(i).postAttnNorm / postMlpNorm [dModel]) before they are added to the residual;
   * norm2 is then the FFN's input norm (pre_feedforward_layernorm). Absent when none.
   */
  postNorms?: boolean;
  /** Gemma: the token embeddings are multiplied by this (sqrt(dModel) rounded as the checkpoint's dtype rounds it); absent: 1 */
  embedScale?: number;
  /** the attention scores' scale; absent: 1 / sqrt(headDim) (Gemma: query_pre_attn_scalar^-0.5) */
  attnScale?: number;
  /** Gemma 2: attention scores become cap * tanh(score / cap) (after the scale, before the mask); absent: none */
  attnSoftcap?: number;
  /** Gemma 2: the logits become cap * tanh(logit / cap); absent: none */
  finalSoftcap?: number;
  /**
   * sliding-window (local) attention: in a layer whose flag is true, query q attends to keys k with
   * q - size < k <= q (Gemma 2/3, Qwen3 layer_types); other layers are fully causal. Absent: none.
   */
  slidingWindow?: { size: number; layers: boolean[] };
  /** Gemma 3: the rotary of the sliding-window layers (rope_local_base_freq) where it differs from `positional` */
  localPositional?: Positional;
  /**
   * OLMoE: RMSNorm (eps normEps) over the whole q and k projections before the head split, weights
   * W.layer(i).qNorm [nHeads*headDim] / kNorm [nKvHeads*headDim]; qkNorm is then absent. Absent: none.
   */
  qkNormWhole?: boolean;
  /** a mixture-of-experts FFN in every layer (MoeSpec); absent: dense */
  moe?: MoeSpec;
}

/**
 * A mixture-of-experts FFN. A neuron is (layer, expert, unit) on the flat neuron axis: routed
 * expert j's unit u is neuron j * expertFf + u (j < experts), then the shared expert's units, so
 * dFf = experts * expertFf + (shared?.ff ?? 0). Every unit is act(gate(x)) * up(x) (gated SwiGLU);
 * the FFN output is sum_f coef_f(x) * post_f(x) * W_out[:, f], where coef is the routing weight of
 * the unit's expert (0 when the token is not routed to it), and for shared units sigmoid(
 * shared_gate(x)) (gated) or 1.
 * Routing (scoring 'softmax'; Mixtral, Qwen2-MoE, Qwen3-MoE, OLMoE): probs = softmax(router(x)) over
 * the routed experts, keep the topK largest, and with normTopK divide them by their sum.
 */
export interface MoeSpec {
  experts: number;
  expertFf: number;
  topK: number;
  scoring: 'softmax';
  normTopK: boolean;
  /** the shared expert (Qwen2-MoE), always on; gated: scaled by sigmoid(W.layer(i).sharedGate x) */
  shared?: { ff: number; gated: boolean };
}

/**
 * Canonical weight names. Every linear weight is stored [out, in] (torch.nn.Linear layout),
 * whatever the file's layout (GPT-2's Conv1D is [in, out] and is transposed by its mapper;
 * GPT-2's fused c_attn is split into q, k, v). Norm weights are [dModel].
 */
export const W = {
  tokenEmbedding: 'embed.tokens', // [vocab, dModel]
  positionEmbedding: 'embed.positions', // [maxPositions (+offset), dModel], learned only
  finalNormWeight: 'final_norm.weight',
  finalNormBias: 'final_norm.bias', // layernorm only
  lmHead: 'lm_head.weight', // [vocab, dModel], absent when tied
  layer: (i: LayerIndex) => ({
    norm1Weight: `layers.${i}.norm1.weight`,
    norm1Bias: `layers.${i}.norm1.bias`,
    q: `layers.${i}.attn.q.weight`, // [nHeads*headDim, dModel]
    k: `layers.${i}.attn.k.weight`, // [nKvHeads*headDim, dModel]
    v: `layers.${i}.attn.v.weight`,
    qBias: `layers.${i}.attn.q.bias`,
    kBias: `layers.${i}.attn.k.bias`,
    vBias: `layers.${i}.attn.v.bias`,
    o: `layers.${i}.attn.o.weight`, // [dModel, nHeads*headDim]
    oBias: `layers.${i}.attn.o.bias`,
    norm2Weight: `layers.${i}.norm2.weight`, // the FFN's input norm
    norm2Bias: `layers.${i}.norm2.bias`,
    mlpIn: `layers.${i}.mlp.in.weight`, // [dFf, dModel]: fc1 / c_fc / up_proj / dense_h_to_4h
    mlpInBias: `layers.${i}.mlp.in.bias`,
    mlpGate: `layers.${i}.mlp.gate.weight`, // [dFf, dModel], gated only
    mlpOut: `layers.${i}.mlp.out.weight`, // [dModel, dFf]: fc2 / c_proj / down_proj / dense_4h_to_h
    mlpOutBias: `layers.${i}.mlp.out.bias`,
    qNorm: `layers.${i}.attn.q_norm.weight`, // [headDim], qkNorm only
    kNorm: `layers.${i}.attn.k_norm.weight`, // [headDim], qkNorm only
    postAttnNorm: `layers.${i}.post_attn_norm.weight`, // [dModel], postNorms only
    postMlpNorm: `layers.${i}.post_mlp_norm.weight`, // [dModel], postNorms only
    router: `layers.${i}.moe.router.weight`, // [experts, dModel], moe only
    sharedGate: `layers.${i}.moe.shared_gate.weight`, // [1, dModel], moe.shared.gated only
  }),
} as const;

/** A weight in canonical layout, fp32. */
export interface WeightTensor {
  shape: readonly number[];
  data: Float32Array;
}

/**
 * A linear weight kept as ggml blocks, canonical [rows = out, cols = in] orientation, blocks of 32
 * (q4_0, q4_1, q5_0, q5_1, q8_0) or super-blocks of 256 (the K-quants) along `cols` (ggml's
 * row-major layout of a [out, in] matrix), exactly as GGUF stores them (block layouts:
 * formats/ggml-quants.ts). The graph runs these as MatMulNBits (graph/quantized.ts).
 */
export interface QuantizedWeight {
  kind: 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q8_0' | 'q2_k' | 'q3_k' | 'q4_k' | 'q5_k' | 'q6_k';
  rows: number;
  cols: number;
  /** the block bytes, rows * cols / (32 or 256) blocks in row-major order (read when called) */
  bytes(): Uint8Array;
}

/**
 * A weight as the checkpoint stores it in 16 bits (F16 / BF16), canonical layout: the graph keeps
 * it as a 16-bit initializer and casts it to fp32 where it is used (graph/context.ts).
 */
export interface HalfWeight {
  dtype: 'float16' | 'bfloat16';
  shape: readonly number[];
  /** little-endian elements, 2 bytes each, canonical row-major order (read when called, not kept) */
  bytes(): Uint8Array;
}

/** A checkpoint mapped to the common spec; weights are converted to fp32 when first read. */
export interface LoadedModel {
  spec: ModelSpec;
  /** the files it came from and a content hash (sha256 hex over the weight files) */
  source: { paths: string[]; sha256: string; format: 'safetensors' | 'llama2c' | 'gguf' };
  /** canonical names present */
  weightNames(): string[];
  /** a canonical weight; throws if absent */
  weight(name: string): WeightTensor;
  /**
   * the weight as quantized blocks when the checkpoint stores it in a form the graph runs without
   * dequantizing (2-D linear weights only); null or absent: read weight() (fp32)
   */
  quantized?(name: string): QuantizedWeight | null;
  /**
   * the weight in 16 bits when the checkpoint stores it as F16 / BF16 (2-D weights only); null or
   * absent: read weight() (fp32)
   */
  half?(name: string): HalfWeight | null;
}
