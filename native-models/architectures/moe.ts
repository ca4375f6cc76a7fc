// Mixture-of-experts decoders with Hugging Face names: Mixtral, Qwen2-MoE, Qwen3-MoE, OLMoE. Their
// attention is Llama's (RMSNorm, rotary on halves, GQA; Qwen2-MoE with q/k/v biases, Qwen3-MoE with
// per-head q/k RMSNorm, OLMoE with q/k RMSNorm over the whole projection); their FFN is a router
// over E gated experts (plus Qwen2-MoE's shared expert). The experts are stacked on the neuron axis
// (spec.ts MoeSpec, common.ts MoeTensors). DeepSeek-V2/V3 are refused by name (multi-head latent
// attention), after their routing config is read so that the message says what the FFN is.

import type { CheckpointReader } from '../formats/checkpoint.js';
import { quote } from '../formats/errors.js';
import type { MoeSpec } from '../spec.js';
import { ArchitectureError, type Dims, LIMITS, hfSeparateQkv, MapContext, type Mapper, type Mapping, type MoeTensors } from './common.js';

type MoeFamily = 'mixtral' | 'qwen2-moe' | 'qwen3-moe' | 'olmoe';

const FAMILY_OF: Record<string, MoeFamily> = {
  MixtralForCausalLM: 'mixtral',
  Qwen2MoeForCausalLM: 'qwen2-moe',
  Qwen3MoeForCausalLM: 'qwen3-moe',
  OlmoeForCausalLM: 'olmoe',
  mixtral: 'mixtral',
  qwen2_moe: 'qwen2-moe',
  qwen3_moe: 'qwen3-moe',
  olmoe: 'olmoe',
};

/** Qwen2-MoE / Qwen3-MoE: layer i is sparse unless listed in mlp_only_layers or (i + 1) % decoder_sparse_step != 0. */
function checkAllSparse(c: MapContext, L: number, F: number): void {
  const step = c.int('decoder_sparse_step', { min: 1, max: LIMITS.layers, default: 1 });
  const only = c.config.mlp_only_layers ?? [];
  if (!Array.isArray(only) || only.some((v) => typeof v !== 'number' || !Number.isInteger(v))) c.fail('mlp_only_layers', only, 'a list of layer indices');
  const dense = Array.from({ length: L }, (_, i) => i).filter((i) => (only as number[]).includes(i) || (i + 1) % step !== 0);
  if (dense.length > 0) {
    const denseFf = c.config.intermediate_size;
    throw new ArchitectureError(
      c.where,
      `mixed dense and mixture-of-experts layers are not supported (layers ${dense.join(', ')} are dense: mlp_only_layers ${quote(only)}, decoder_sparse_step ${step}): every layer must have the same neuron axis, and a dense layer has ${quote(denseFf)} neurons where the experts have ${F}`,
      'mlp_only_layers',
    );
  }
}

export const moeMapper: Mapper = {
  architectures: ['MixtralForCausalLM', 'Qwen2MoeForCausalLM', 'Qwen3MoeForCausalLM', 'OlmoeForCausalLM'],
  modelTypes: ['mixtral', 'qwen2_moe', 'qwen3_moe', 'olmoe'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const arch = c.architecture();
    const fam = FAMILY_OF[arch] ?? FAMILY_OF[String(c.config.model_type)];
    if (fam === undefined) c.fail('architectures', c.config.architectures, 'one of MixtralForCausalLM, Qwen2MoeForCausalLM, Qwen3MoeForCausalLM, OlmoeForCausalLM');
    const { D, L, H, KV, hd } = c.attentionShape(true);
    const V = c.int('vocab_size', { min: 1, max: LIMITS.vocab });
    const maxPos = c.int('max_position_embeddings', { min: 1, max: LIMITS.positions });
    const eps = c.num('rms_norm_eps', { above: 0, max: 0.1 });
    const theta = c.num('rope_theta', { above: 0 });
    const activation = c.activation('hidden_act', 'silu');
    const tied = c.bool('tie_word_embeddings', false);
    if (c.config.rope_scaling !== undefined && c.config.rope_scaling !== null) c.fail('rope_scaling', c.config.rope_scaling, 'null (rope scaling of MoE models is not supported)');

    // routing
    const E = c.int(fam === 'mixtral' ? 'num_local_experts' : 'num_experts', { min: 1, max: LIMITS.dim });
    const k = c.int('num_experts_per_tok', { min: 1, max: E });
    const ff = c.int(fam === 'mixtral' || fam === 'olmoe' ? 'intermediate_size' : 'moe_intermediate_size', { min: 1, max: LIMITS.dim });
    // Mixtral always renormalises the kept weights (modeling_mixtral); the others follow the config, default false
    const normTopK = fam === 'mixtral' ? true : c.bool('norm_topk_prob', false);
    const sharedFf = fam === 'qwen2-moe' ? c.int('shared_expert_intermediate_size', { min: 0, max: LIMITS.dim, default: 0 }) : 0;
    const F = E * ff + sharedFf;
    if (fam === 'qwen2-moe' || fam === 'qwen3-moe') checkAllSparse(c, L, F);
    // Mixtral's router_jitter_noise is applied in training only (modeling_mixtral: if self.training)
    if (fam === 'olmoe' && c.config.clip_qkv !== undefined && c.config.clip_qkv !== null) c.fail('clip_qkv', c.config.clip_qkv, 'null (clamping q/k/v is not supported)');
    const attentionBias = fam === 'qwen3-moe' || fam === 'olmoe' ? c.bool('attention_bias', false) : false;
    if (attentionBias) c.fail('attention_bias', true, `false (${arch} with attention biases is not supported)`);
    const qkvBias = fam === 'qwen2-moe' ? c.bool('qkv_bias', true) : false;

    // Sliding-window attention equals full causal attention up to the window: cap the positions there.
    const window = fam === 'mixtral' ? (c.config.sliding_window === null || c.config.sliding_window === undefined ? maxPos : c.int('sliding_window', { min: 1, max: LIMITS.positions })) : fam === 'olmoe' ? maxPos : c.bool('use_sliding_window', false) ? c.int('sliding_window', { min: 1, max: LIMITS.positions, default: maxPos }) : maxPos;

    const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: KV, headDim: hd, dFf: F };
    c.decoder(dims, {
      tokenEmbedding: 'model.embed_tokens.weight',
      layer: (i) => {
        const a = `model.layers.${i}.self_attn.`;
        const m = fam === 'mixtral' ? `model.layers.${i}.block_sparse_moe.` : `model.layers.${i}.mlp.`;
        const experts = Array.from({ length: E }, (_, j) =>
          fam === 'mixtral'
            ? { gate: `${m}experts.${j}.w1.weight`, up: `${m}experts.${j}.w3.weight`, down: `${m}experts.${j}.w2.weight` }
            : { gate: `${m}experts.${j}.gate_proj.weight`, up: `${m}experts.${j}.up_proj.weight`, down: `${m}experts.${j}.down_proj.weight` },
        );
        const moe: MoeTensors = { router: `${m}gate.weight`, expertFf: ff, experts };
        if (sharedFf > 0) {
          const s = `${m}shared_expert.`;
          moe.shared = { ff: sharedFf, gate: `${s}gate_proj.weight`, up: `${s}up_proj.weight`, down: `${s}down_proj.weight`, sharedGate: `${m}shared_expert_gate.weight` };
        }
        return {
          norm1: `model.layers.${i}.input_layernorm.weight`,
          attention: hfSeparateQkv(a, qkvBias),
          ...(fam === 'qwen3-moe' ? { qNorm: `${a}q_norm.weight`, kNorm: `${a}k_norm.weight` } : {}),
          o: `${a}o_proj.weight`,
          norm2: `model.layers.${i}.post_attention_layernorm.weight`,
          moe,
          // unused with moe (the experts are the FFN)
          mlpIn: '',
          mlpOut: '',
        };
      },
      finalNorm: 'model.norm.weight',
      lmHead: tied ? undefined : 'lm_head.weight',
    });
    if (fam === 'olmoe') {
      // OLMoE's q/k norms span the whole projection, so they are not the per-head qNorm of LayerTensors
      for (let i = 0; i < L; i++) {
        const a = `model.layers.${i}.self_attn.`;
        c.copy(`layers.${i}.attn.q_norm.weight`, `${a}q_norm.weight`, [H * hd]);
        c.copy(`layers.${i}.attn.k_norm.weight`, `${a}k_norm.weight`, [KV * hd]);
      }
    }

    const moe: MoeSpec = { experts: E, expertFf: ff, topK: k, scoring: 'softmax', normTopK };
    if (sharedFf > 0) moe.shared = { ff: sharedFf, gated: true };
    return c.finish({
      family: 'llama',
      architecture: arch,
      ...dims,
      maxPositions: Math.min(maxPos, window),
      norm: 'rmsnorm',
      normEps: eps,
      activation,
      gated: true,
      positional: { kind: 'rotary', theta, rotaryDim: hd, interleaved: false },
      parallelResidual: false,
      bias: { qkv: qkvBias, attnOut: false, mlp: false },
      tiedEmbeddings: tied,
      ...(fam === 'qwen3-moe' ? { qkNorm: true } : {}),
      ...(fam === 'olmoe' ? { qkNormWhole: true } : {}),
      moe,
    });
  },
};

/**
 * DeepSeek-V2 (and V2-Lite, V3): shared + routed experts behind multi-head latent attention (MLA:
 * low-rank compressed k/v with a decoupled rotary part), which the graph does not build. Refused by
 * name, with the routing it would have so the user sees what the model is.
 */
export const deepseekMapper: Mapper = {
  architectures: ['DeepseekV2ForCausalLM', 'DeepseekV3ForCausalLM'],
  modelTypes: ['deepseek_v2', 'deepseek_v3'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const arch = c.architecture();
    const routed = c.int('n_routed_experts', { min: 1, max: LIMITS.dim });
    const k = c.int('num_experts_per_tok', { min: 1, max: routed });
    const shared = c.int('n_shared_experts', { min: 0, max: LIMITS.dim, default: 0 });
    const ff = c.int('moe_intermediate_size', { min: 1, max: LIMITS.dim });
    const firstDense = c.int('first_k_dense_replace', { min: 0, max: LIMITS.layers, default: 0 });
    const scoring = typeof c.config.scoring_func === 'string' ? c.config.scoring_func : 'softmax';
    const method = typeof c.config.topk_method === 'string' ? c.config.topk_method : 'greedy';
    const norm = c.bool('norm_topk_prob', false);
    const kvRank = c.config.kv_lora_rank;
    throw new ArchitectureError(
      c.where,
      `${arch}: multi-head latent attention is not supported (kv_lora_rank ${quote(kvRank)}, q_lora_rank ${quote(c.config.q_lora_rank ?? null)}). ` +
        `Its FFN would map: ${routed} routed experts of ${ff} units, top-${k} by ${scoring} (topk_method ${quote(method)}, norm_topk_prob ${String(norm)}), ` +
        `${shared} shared expert${shared === 1 ? '' : 's'}, the first ${firstDense} layer${firstDense === 1 ? '' : 's'} dense. Supported MoE architectures: ${moeMapper.architectures.join(', ')}`,
      'architectures',
    );
  },
};
