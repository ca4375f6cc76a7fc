// Phi-3 / Phi-3.5 / Phi-4-mini with Hugging Face names (Phi3ForCausalLM): a Llama-like decoder
// (RMSNorm, SwiGLU, rotate-half rotary, GQA) whose q, k, v are one qkv_proj matrix (rows: the
// query heads, then the key heads, then the value heads) and whose gate and up are one
// gate_up_proj matrix (gate rows first, as Phi3MLP's chunk(2) reads it); both are cut apart here.
// partial_rotary_factor rotates the leading dims of each head (Phi-4-mini). LongRoPE ("longrope",
// formerly "su"; Phi-3.5-mini, Phi-4-mini, the 128k Phi-3 models) as Hugging Face computes it up to
// original_max_position_embeddings: the short factors divide the rotary frequencies and cos/sin
// are multiplied by the attention factor; beyond that length HF switches to the long factors, so the
// positions are capped there.

import type { CheckpointReader } from '../formats/checkpoint.js';
import type { Positional } from '../spec.js';
import { type Dims, LIMITS, MapContext, type Mapper, type Mapping } from './common.js';

export const phi3Mapper: Mapper = {
  architectures: ['Phi3ForCausalLM'],
  modelTypes: ['phi3'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const arch = c.architecture();
    const { D, L, H, KV, hd } = c.attentionShape(false);
    const F = c.int('intermediate_size', { min: 1, max: LIMITS.dim });
    const V = c.int('vocab_size', { min: 1, max: LIMITS.vocab });
    const maxPos = c.int('max_position_embeddings', { min: 1, max: LIMITS.positions });
    const eps = c.num('rms_norm_eps', { above: 0, max: 0.1, default: 1e-5 });
    const theta = c.num('rope_theta', { above: 0, default: 10000 });
    const activation = c.activation('hidden_act', 'silu');
    const tied = c.bool('tie_word_embeddings', false);
    const factor = c.num('partial_rotary_factor', { above: 0, max: 1, default: 1 });
    // HF: int(head_dim * partial_rotary_factor)
    const rotaryDim = Math.floor(hd * factor);
    if (rotaryDim < 2 || rotaryDim % 2 !== 0) c.fail('partial_rotary_factor', factor, `a fraction of the head dim (${hd}) that gives an even number of rotary dims >= 2 (got ${rotaryDim})`);
    const positional: Positional = { kind: 'rotary', theta, rotaryDim, interleaved: false };
    let ropeLimit = maxPos;
    const rs = c.config.rope_scaling;
    if (rs !== null && rs !== undefined) {
      const s = c.nested('rope_scaling');
      const kind = s.config.rope_type ?? s.config.type;
      if (kind === 'longrope' || kind === 'su') {
        const factors = (key: string): number[] => {
          const v = s.config[key];
          const ok = Array.isArray(v) && v.length === rotaryDim / 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0);
          if (!ok) s.fail(key, Array.isArray(v) ? `(a list of ${v.length})` : v, `a list of ${rotaryDim / 2} positive numbers (rotary dims / 2)`);
          return v as number[];
        };
        factors('long_factor'); // checked, not used: HF uses it only beyond original_max_position_embeddings
        positional.freqFactors = factors('short_factor');
        // HF _compute_longrope_parameters: factor = max_position_embeddings / original_max_position_embeddings
        const original = c.int('original_max_position_embeddings', { min: 1, max: maxPos });
        const factor = maxPos / original;
        const given = s.config.attention_factor;
        const attention = given !== undefined && given !== null ? s.num('attention_factor', { above: 0 }) : factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(original));
        if (attention !== 1) positional.attentionFactor = attention;
        ropeLimit = original;
      } else if (kind !== 'default') {
        s.fail('type', kind, '"longrope", "su" or "default" (other rope scalings of Phi-3 models are not supported)');
      }
    }
    // Sliding-window attention (Phi-3-mini-4k: 2047) equals full causal attention up to the
    // window: cap the positions there, as for Mistral.
    const window = c.int('sliding_window', { min: 1, max: LIMITS.positions, default: maxPos });

    const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: KV, headDim: hd, dFf: F };
    const q = H * hd;
    const kv = KV * hd;
    const qkvRows: Array<Array<[number, number]>> = [[[0, q]], [[q, kv]], [[q + kv, kv]]];
    c.decoder(dims, {
      tokenEmbedding: 'model.embed_tokens.weight',
      layer: (i) => {
        const p = `model.layers.${i}.`;
        return {
          norm1: `${p}input_layernorm.weight`,
          attention: { qkv: `${p}self_attn.qkv_proj.weight`, rows: (part) => qkvRows[part] ?? [] },
          o: `${p}self_attn.o_proj.weight`,
          norm2: `${p}post_attention_layernorm.weight`,
          gateUp: `${p}mlp.gate_up_proj.weight`,
          mlpIn: `${p}mlp.gate_up_proj.weight`,
          mlpOut: `${p}mlp.down_proj.weight`,
        };
      },
      finalNorm: 'model.norm.weight',
      lmHead: tied ? undefined : 'lm_head.weight',
    });

    return c.finish({
      family: 'phi3',
      architecture: arch,
      ...dims,
      maxPositions: Math.min(maxPos, window, ropeLimit),
      norm: 'rmsnorm',
      normEps: eps,
      activation,
      gated: true,
      positional,
      parallelResidual: false,
      bias: { qkv: false, attnOut: false, mlp: false },
      tiedEmbeddings: tied,
    });
  },
};
