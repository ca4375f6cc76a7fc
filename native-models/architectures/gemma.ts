// Gemma 2 and Gemma 3 text decoders with Hugging Face names (Gemma2ForCausalLM, Gemma3ForCausalLM,
// and the language model inside Gemma3ForConditionalGeneration). What sets them apart, each as the
// Hugging Face reference computes it:
// - RMSNorm scales by (1 + w) in float32: folded into the canonical norm weights (Recipe.plusOne);
// - token embeddings times sqrt(hidden_size), a constant HF casts to the model's dtype first (for a
//   bf16 checkpoint sqrt(2560) is 50.5): rounded here as the embedding tensor's dtype rounds it;
// - GeGLU (hidden_activation gelu_pytorch_tanh), neuron = act(gate) * up as for every gated FFN;
// - sandwich norms: input_layernorm -> attention -> post_attention_layernorm -> + residual;
//   pre_feedforward_layernorm (canonical norm2) -> FFN -> post_feedforward_layernorm -> + residual;
// - attention scale query_pre_attn_scalar^-0.5; Gemma 2 soft-caps attention scores and logits;
// - sliding-window (local) layers with a band mask: Gemma 2 every other layer (0, 2, ...), Gemma 3
//   all but every sliding_window_pattern-th (or config.layer_types);
// - Gemma 3: per-head q_norm / k_norm (also 1 + w) before the rotary, and the local layers rotate
//   with rope_local_base_freq while the global ones use rope_theta (+ linear rope_scaling).

import type { CheckpointReader } from '../formats/checkpoint.js';
import type { Positional } from '../spec.js';
import { ArchitectureError, type Dims, LIMITS, hfSeparateQkv, MapContext, type Mapper, type Mapping, slidingLayers } from './common.js';

/**
 * `x` as the checkpoint's dtype holds it, back in a number: HF computes the embedding normalizer
 * as torch.tensor(sqrt(hidden_size), dtype=hidden_states.dtype), so a bf16 or f16 model multiplies
 * by the rounded constant. Round to nearest even, as torch's float -> bf16 / f16 casts do.
 */
export function roundToDtype(x: number, dtype: string): number {
  const f = Math.fround(x);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(new Float32Array([f]).buffer)[0] as number;
    const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
    return new Float32Array(new Uint32Array([rounded >>> 0]).buffer)[0] as number;
  }
  if (dtype === 'F16') {
    // normal halves only (|x| in [2^-14, 65504]), which every sqrt(hidden_size) is
    const step = 2 ** (Math.floor(Math.log2(Math.abs(f))) - 10);
    const q = f / step;
    const r = Math.round(q);
    const even = Math.abs(q - Math.trunc(q)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    return even * step;
  }
  return f;
}

/** The text model's tensors: `prefix` + model.* (Gemma3ForConditionalGeneration keeps them under language_model.). */
function tensorPrefix(c: MapContext, multimodal: boolean): string {
  if (!multimodal) return 'model.';
  for (const p of ['language_model.model.', 'model.language_model.']) if (c.has(`${p}embed_tokens.weight`)) return p;
  throw new ArchitectureError(
    c.where,
    'Gemma3ForConditionalGeneration: found neither "language_model.model.embed_tokens.weight" nor "model.language_model.embed_tokens.weight"; only the text model of a multimodal Gemma 3 whose weights sit under one of these prefixes can be read',
    'language_model',
  );
}

export const gemmaMapper: Mapper = {
  architectures: ['Gemma2ForCausalLM', 'Gemma3ForCausalLM', 'Gemma3ForConditionalGeneration'],
  modelTypes: ['gemma2', 'gemma3_text', 'gemma3'],
  map(reader: CheckpointReader): Mapping {
    const top = new MapContext(reader, 'config.json');
    const arch = top.architecture();
    const multimodal = arch === 'Gemma3ForConditionalGeneration' || top.config.model_type === 'gemma3';
    // The multimodal config holds the text model's settings in text_config (fields left out take
    // Gemma3TextConfig's defaults, as Hugging Face fills them in).
    const c = multimodal ? top.nested('text_config') : top;
    const gemma3 = multimodal || arch === 'Gemma3ForCausalLM' || top.config.model_type === 'gemma3_text';
    const dflt = <T>(g2: T | undefined, g3: T): T | undefined => (gemma3 ? g3 : g2);
    const D = c.int('hidden_size', { min: 1, max: LIMITS.dim, default: dflt(undefined, 2304) });
    const L = c.int('num_hidden_layers', { min: 1, max: LIMITS.layers, default: dflt(undefined, 26) });
    const H = c.int('num_attention_heads', { min: 1, max: LIMITS.dim, default: dflt(undefined, 8) });
    const KV = c.int('num_key_value_heads', { min: 1, max: H, default: dflt(H, 4) });
    if (H % KV !== 0) c.fail('num_key_value_heads', KV, `a divisor of num_attention_heads (${H})`);
    const hd = c.int('head_dim', { min: 2, max: LIMITS.dim, default: 256 });
    if (hd % 2 !== 0) c.fail('head_dim', hd, 'an even number (rotary pairs)');
    const F = c.int('intermediate_size', { min: 1, max: LIMITS.dim, default: dflt(undefined, 9216) });
    const V = c.int('vocab_size', { min: 1, max: LIMITS.vocab, default: dflt(undefined, 262208) });
    const maxPos = c.int('max_position_embeddings', { min: 1, max: LIMITS.positions, default: dflt(8192, 131072) });
    const eps = c.num('rms_norm_eps', { above: 0, max: 0.1, default: 1e-6 });
    const theta = c.num('rope_theta', { above: 0, default: gemma3 ? 1_000_000 : 10000 });
    const activation = c.activation('hidden_activation', 'gelu_new');
    const tied = c.bool('tie_word_embeddings', true);
    const attentionBias = c.bool('attention_bias', false);
    const scalar = c.num('query_pre_attn_scalar', { above: 0, default: 256 });
    // soft-capping: null turns it off; absent: Gemma2Config's defaults (50, 30), none for Gemma 3
    const cap = (key: string, gemma2Default: number): number | undefined => {
      const v = c.config[key];
      if (v === null || (v === undefined && gemma3)) return undefined;
      return c.num(key, { above: 0, default: gemma2Default });
    };
    const attnSoftcap = cap('attn_logit_softcapping', 50);
    const finalSoftcap = cap('final_logit_softcapping', 30);
    const window = c.int('sliding_window', { min: 1, max: LIMITS.positions, default: 4096 });
    const pattern = gemma3 ? c.int('sliding_window_pattern', { min: 1, max: LIMITS.layers, default: 6 }) : 2;
    // HF: Gemma 2 layer i is local when i is even; Gemma 3 when (i + 1) % pattern != 0
    const local = slidingLayers(c, L, (i) => (gemma3 ? (i + 1) % pattern !== 0 : i % 2 === 0));

    const positional: Positional = { kind: 'rotary', theta, rotaryDim: hd, interleaved: false };
    const rs = c.config.rope_scaling;
    if (rs !== null && rs !== undefined) {
      const s = c.nested('rope_scaling');
      const kind = s.config.rope_type ?? s.config.type;
      if (kind === 'linear') {
        // HF linear scaling divides every inverse frequency by factor (global layers only)
        const factor = s.num('factor', { above: 0 });
        positional.freqFactors = new Array<number>(hd / 2).fill(factor);
      } else if (kind !== 'default') {
        s.fail('rope_type', kind, '"linear" or "default" (other rope scalings are not supported)');
      }
    }
    const localTheta = gemma3 ? c.num('rope_local_base_freq', { above: 0, default: 10000 }) : theta;
    const localPositional: Positional | undefined =
      gemma3 && (localTheta !== theta || positional.freqFactors) ? { kind: 'rotary', theta: localTheta, rotaryDim: hd, interleaved: false } : undefined;

    const prefix = tensorPrefix(c, multimodal);
    const embedding = `${prefix}embed_tokens.weight`;
    const embedInfo = reader.tensors.get(embedding);
    // F32 files: float32; BF16 / F16 safetensors: the normalizer rounded to that dtype
    const embedScale = roundToDtype(Math.sqrt(D), embedInfo?.dtype ?? 'F32');

    const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: KV, headDim: hd, dFf: F };
    c.decoder(dims, {
      tokenEmbedding: embedding,
      normPlusOne: true,
      layer: (i) => {
        const p = `${prefix}layers.${i}.`;
        const a = `${p}self_attn.`;
        return {
          norm1: `${p}input_layernorm.weight`,
          attention: hfSeparateQkv(a, attentionBias),
          qNorm: gemma3 ? `${a}q_norm.weight` : undefined,
          kNorm: gemma3 ? `${a}k_norm.weight` : undefined,
          o: `${a}o_proj.weight`,
          oBias: attentionBias ? `${a}o_proj.bias` : undefined,
          postAttnNorm: `${p}post_attention_layernorm.weight`,
          norm2: `${p}pre_feedforward_layernorm.weight`,
          mlpGate: `${p}mlp.gate_proj.weight`,
          mlpIn: `${p}mlp.up_proj.weight`,
          mlpOut: `${p}mlp.down_proj.weight`,
          postMlpNorm: `${p}post_feedforward_layernorm.weight`,
        };
      },
      finalNorm: `${prefix}norm.weight`,
      lmHead: tied ? undefined : 'lm_head.weight',
    });

    return c.finish({
      family: 'gemma',
      architecture: arch,
      ...dims,
      maxPositions: maxPos,
      norm: 'rmsnorm',
      normEps: eps,
      activation,
      gated: true,
      positional,
      parallelResidual: false,
      bias: { qkv: attentionBias, attnOut: attentionBias, mlp: false },
      tiedEmbeddings: tied,
      ...(gemma3 ? { qkNorm: true } : {}),
      postNorms: true,
      embedScale,
      attnScale: scalar ** -0.5,
      ...(attnSoftcap !== undefined ? { attnSoftcap } : {}),
      ...(finalSoftcap !== undefined ? { finalSoftcap } : {}),
      ...(local.some((x) => x) ? { slidingWindow: { size: window, layers: local } } : {}),
      ...(localPositional ? { localPositional } : {}),
    });
  },
};
