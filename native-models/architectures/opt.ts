// OPT (OPTForCausalLM). Learned positions with an offset of 2 (the table has
// max_position_embeddings + 2 rows; position t reads row t + 2), pre-LayerNorm, relu, tied head.
// OPT-350m's post-LN layout and its project_in/out (word_embed_proj_dim != hidden_size) are refused.

import type { CheckpointReader } from '../formats/checkpoint.js';
import { type Dims, LIMITS, MapContext, type Mapper, type Mapping } from './common.js';

const OFFSET = 2;

export const optMapper: Mapper = {
  architectures: ['OPTForCausalLM'],
  modelTypes: ['opt'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const { D, L, H } = c.widthDepthHeads('hidden_size', 'num_hidden_layers', 'num_attention_heads');
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

    const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: H, headDim: D / H, dFf: F };

    // Saved from OPTForCausalLM: "model.decoder."; from OPTModel: "decoder.".
    const p = c.has('decoder.embed_tokens.weight') && !c.has('model.decoder.embed_tokens.weight') ? 'decoder.' : 'model.decoder.';
    c.decoder(dims, {
      tokenEmbedding: `${p}embed_tokens.weight`,
      positionEmbedding: { tensor: `${p}embed_positions.weight`, rows: P + OFFSET },
      layer: (i) => {
        const f = `${p}layers.${i}.`;
        const b = (name: string): string | undefined => (bias ? `${f}${name}.bias` : undefined);
        return {
          norm1: `${f}self_attn_layer_norm.weight`,
          norm1Bias: `${f}self_attn_layer_norm.bias`,
          attention: {
            q: `${f}self_attn.q_proj.weight`,
            k: `${f}self_attn.k_proj.weight`,
            v: `${f}self_attn.v_proj.weight`,
            qBias: b('self_attn.q_proj'),
            kBias: b('self_attn.k_proj'),
            vBias: b('self_attn.v_proj'),
          },
          o: `${f}self_attn.out_proj.weight`,
          oBias: b('self_attn.out_proj'),
          norm2: `${f}final_layer_norm.weight`,
          norm2Bias: `${f}final_layer_norm.bias`,
          mlpIn: `${f}fc1.weight`,
          mlpInBias: b('fc1'),
          mlpOut: `${f}fc2.weight`,
          mlpOutBias: b('fc2'),
        };
      },
      finalNorm: `${p}final_layer_norm.weight`,
      finalNormBias: `${p}final_layer_norm.bias`,
      lmHead: tied ? undefined : 'lm_head.weight',
    });

    return c.finish({
      family: 'opt',
      architecture: c.architecture(),
      ...dims,
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
