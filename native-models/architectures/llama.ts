// Llama-like decoders with Hugging Face names: Llama 2/3 (incl. Llama-3 rope scaling), Mistral,
// Qwen2 (q/k/v biases), Qwen3 (per-head q/k RMSNorm, explicit head_dim), SmolLM, TinyLlama. RMSNorm, SwiGLU (neuron = act(gate) * up), rotary on
// halves (HF rotate_half), grouped-query attention. Weights are already [out, in].

import type { CheckpointReader } from '../formats/checkpoint.js';
import type { Positional } from '../spec.js';
import { type Dims, LIMITS, hfSeparateQkv, MapContext, type Mapper, type Mapping, slidingLayers } from './common.js';

export const llamaMapper: Mapper = {
  architectures: ['LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM'],
  modelTypes: ['llama', 'mistral', 'qwen2', 'qwen3'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const arch = c.architecture();
    const qwen2 = arch === 'Qwen2ForCausalLM' || c.config.model_type === 'qwen2';
    const mistral = arch === 'MistralForCausalLM' || c.config.model_type === 'mistral';
    // Qwen3: q_norm / k_norm (RMSNorm over each head's q and k, before the rotary); attention_bias
    // covers q, k, v and o
    const qwen3 = arch === 'Qwen3ForCausalLM' || c.config.model_type === 'qwen3';
    const { D, L, H, KV, hd } = c.attentionShape(true);
    const F = c.int('intermediate_size', { min: 1, max: LIMITS.dim });
    const V = c.int('vocab_size', { min: 1, max: LIMITS.vocab });
    const maxPos = c.int('max_position_embeddings', { min: 1, max: LIMITS.positions });
    const eps = c.num('rms_norm_eps', { above: 0, max: 0.1, default: 1e-6 });
    const theta = c.num('rope_theta', { above: 0, default: 10000 });
    const activation = c.activation('hidden_act', 'silu');
    const tied = c.bool('tie_word_embeddings', false);
    const attentionBias = c.bool('attention_bias', false);
    c.expect('mlp_bias', false, 'the canonical weights have no gate bias');
    const qkvBias = qwen2 || attentionBias;

    const positional: Positional = { kind: 'rotary', theta, rotaryDim: hd, interleaved: false };
    const rs = c.config.rope_scaling;
    if (rs !== null && rs !== undefined) {
      const s = c.nested('rope_scaling');
      const kind = s.config.rope_type ?? s.config.type;
      if (kind === 'llama3') {
        const factor = s.num('factor', { above: 0 });
        const lowFreqFactor = s.num('low_freq_factor', { above: 0 });
        const highFreqFactor = s.num('high_freq_factor', { above: lowFreqFactor });
        const originalMaxPositions = s.int('original_max_position_embeddings', { min: 1, max: LIMITS.positions });
        positional.llama3Scaling = { factor, lowFreqFactor, highFreqFactor, originalMaxPositions };
      } else if (kind !== 'default') {
        s.fail('rope_type', kind, '"llama3" or "default" (other rope scalings are not supported)');
      }
    }
    // Sliding-window attention (Mistral; Qwen2 when use_sliding_window) equals full causal
    // attention up to the window: cap the positions there. Llama ignores the field. Qwen3 (when
    // use_sliding_window) bands only the layers its layer_types name, by default those from
    // max_window_layers on, as its Hugging Face config does: a real band mask per layer.
    const slidingOn = qwen2 ? c.bool('use_sliding_window', false) : mistral;
    const window = slidingOn ? c.int('sliding_window', { min: 1, max: LIMITS.positions, default: maxPos }) : maxPos;
    let slidingWindow: { size: number; layers: boolean[] } | undefined;
    if (qwen3 && c.bool('use_sliding_window', false)) {
      const size = c.int('sliding_window', { min: 1, max: LIMITS.positions });
      const from = c.int('max_window_layers', { min: 0, max: L, default: L });
      const layers = slidingLayers(c, L, (i) => i >= from);
      if (layers.some((x) => x)) slidingWindow = { size, layers };
    }

    const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: KV, headDim: hd, dFf: F };

    c.decoder(dims, {
      tokenEmbedding: 'model.embed_tokens.weight',
      layer: (i) => {
        const a = `model.layers.${i}.self_attn.`;
        const m = `model.layers.${i}.mlp.`;
        return {
          norm1: `model.layers.${i}.input_layernorm.weight`,
          attention: hfSeparateQkv(a, qkvBias),
          o: `${a}o_proj.weight`,
          oBias: attentionBias ? `${a}o_proj.bias` : undefined,
          qNorm: qwen3 ? `${a}q_norm.weight` : undefined,
          kNorm: qwen3 ? `${a}k_norm.weight` : undefined,
          norm2: `model.layers.${i}.post_attention_layernorm.weight`,
          mlpGate: `${m}gate_proj.weight`,
          mlpIn: `${m}up_proj.weight`,
          mlpOut: `${m}down_proj.weight`,
        };
      },
      finalNorm: 'model.norm.weight',
      lmHead: tied ? undefined : 'lm_head.weight',
    });

    return c.finish({
      family: 'llama',
      architecture: arch,
      ...dims,
      maxPositions: Math.min(maxPos, window),
      norm: 'rmsnorm',
      normEps: eps,
      activation,
      gated: true,
      positional,
      parallelResidual: false,
      bias: { qkv: qkvBias, attnOut: attentionBias, mlp: false },
      tiedEmbeddings: tied,
      ...(qwen3 ? { qkNorm: true } : {}),
      ...(slidingWindow ? { slidingWindow } : {}),
    });
  },
};

