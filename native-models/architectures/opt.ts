// OPT (OPTForCausalLM). Learned positions with an offset of 2 (the table has
// max_position_embeddings + 2 rows; position t reads row t + 2), pre-LayerNorm, relu, tied head.
// OPT-350m's post-LN layout and its project_in/out (word_embed_proj_dim != hidden_size) are refused.

import type { CheckpointReader } from '../formats/checkpoint.js';
import { W } from '../spec.js';
import { LIMITS, MapContext, type Mapper, type Mapping } from './common.js';

const OFFSET = 2;

export const optMapper: Mapper = {
  architectures: ['OPTForCausalLM'],
  modelTypes: ['opt'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const D = c.int('hidden_size', { min: 1, max: LIMITS.dim });
    const L = c.int('num_hidden_layers', { min: 1, max: LIMITS.layers });
    const H = c.int('num_attention_heads', { min: 1, max: D });
    if (D % H !== 0) c.fail('num_attention_heads', H, `a divisor of hidden_size (${D})`);
    const F = c.int('ffn_dim', { min: 1, max: LIMITS.dim });
    const V = c.int('vocab_size', { min: 1, max: LIMITS.vocab });
    const P = c.int('max_position_embeddings', { min: 1, max: LIMITS.positions });
    const activation = c.activation('activation_function', 'relu');
    const tied = c.bool('tie_word_embeddings', true);
    const bias = c.bool('enable_bias', true);
    c.expect('do_layer_norm_before', true, 'pre-LayerNorm; the post-LN layout of OPT-350m is not supported');
    c.expect('layer_norm_elementwise_affine', true, 'LayerNorms with weight and bias');
    c.expect('_remove_final_layer_norm', false, 'a final LayerNorm');
    c.int('word_embed_proj_dim', { min: D, max: D, default: D });

    // Saved from OPTForCausalLM: "model.decoder."; from OPTModel: "decoder.".
    const p = c.has('decoder.embed_tokens.weight') && !c.has('model.decoder.embed_tokens.weight') ? 'decoder.' : 'model.decoder.';
    c.copy(W.tokenEmbedding, `${p}embed_tokens.weight`, [V, D]);
    c.copy(W.positionEmbedding, `${p}embed_positions.weight`, [P + OFFSET, D]);
    for (let i = 0; i < L; i++) {
      const w = W.layer(i);
      const f = `${p}layers.${i}.`;
      c.copy(w.norm1Weight, `${f}self_attn_layer_norm.weight`, [D]);
      c.copy(w.norm1Bias, `${f}self_attn_layer_norm.bias`, [D]);
      c.copy(w.q, `${f}self_attn.q_proj.weight`, [D, D]);
      c.copy(w.k, `${f}self_attn.k_proj.weight`, [D, D]);
      c.copy(w.v, `${f}self_attn.v_proj.weight`, [D, D]);
      c.copy(w.o, `${f}self_attn.out_proj.weight`, [D, D]);
      c.copy(w.norm2Weight, `${f}final_layer_norm.weight`, [D]);
      c.copy(w.norm2Bias, `${f}final_layer_norm.bias`, [D]);
      c.copy(w.mlpIn, `${f}fc1.weight`, [F, D]);
      c.copy(w.mlpOut, `${f}fc2.weight`, [D, F]);
      if (bias) {
        c.copy(w.qBias, `${f}self_attn.q_proj.bias`, [D]);
        c.copy(w.kBias, `${f}self_attn.k_proj.bias`, [D]);
        c.copy(w.vBias, `${f}self_attn.v_proj.bias`, [D]);
        c.copy(w.oBias, `${f}self_attn.out_proj.bias`, [D]);
        c.copy(w.mlpInBias, `${f}fc1.bias`, [F]);
        c.copy(w.mlpOutBias, `${f}fc2.bias`, [D]);
      }
    }
    c.copy(W.finalNormWeight, `${p}final_layer_norm.weight`, [D]);
    c.copy(W.finalNormBias, `${p}final_layer_norm.bias`, [D]);
    if (!tied) c.copy(W.lmHead, 'lm_head.weight', [V, D]);

    return c.finish({
      family: 'opt',
      architecture: c.architecture(),
      vocabSize: V,
      dModel: D,
      nLayers: L,
      nHeads: H,
      nKvHeads: H,
      headDim: D / H,
      dFf: F,
      maxPositions: P,
      norm: 'layernorm',
      normEps: 1e-5,
      activation,
      gated: false,
      positional: { kind: 'learned', offset: OFFSET },
      parallelResidual: false,
      bias: { qkv: bias, attnOut: bias, mlp: bias },
      tiedEmbeddings: tied,
    });
  },
};
