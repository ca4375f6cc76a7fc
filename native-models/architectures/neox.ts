// GPT-NeoX / Pythia (GPTNeoXForCausalLM). The fused attention.query_key_value [3D, D] is laid out
// per head: viewed as [heads, 3, headDim] rows (q, k, v of head 0, then of head 1, ...), so q, k
// and v are cut out head by head. Partial rotary (rotary_pct) on halves, parallel residual.

import type { CheckpointReader } from '../formats/checkpoint.js';
import { type Dims, interleavedRows, LIMITS, MapContext, type Mapper, type Mapping } from './common.js';

export const neoxMapper: Mapper = {
  architectures: ['GPTNeoXForCausalLM'],
  modelTypes: ['gpt_neox'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const { D, L, H } = c.widthDepthHeads('hidden_size', 'num_hidden_layers', 'num_attention_heads');
    const hd = D / H;
    const F = c.int('intermediate_size', { min: 1, max: LIMITS.dim });
    const V = c.int('vocab_size', { min: 1, max: LIMITS.vocab });
    const P = c.int('max_position_embeddings', { min: 1, max: LIMITS.positions });
    const pctKey = Object.hasOwn(c.config, 'rotary_pct') ? 'rotary_pct' : 'partial_rotary_factor';
    const pct = c.num(pctKey, { above: 0, max: 1, default: 0.25 });
    const rotaryDim = Math.floor(hd * pct);
    if (rotaryDim < 2 || rotaryDim % 2 !== 0) c.fail(pctKey, pct, `a fraction of the head dim (${hd}) that gives an even number of rotary dims >= 2 (got ${rotaryDim})`);
    const baseKey = Object.hasOwn(c.config, 'rotary_emb_base') ? 'rotary_emb_base' : 'rope_theta';
    const theta = c.num(baseKey, { above: 0, default: 10000 });
    const eps = c.num('layer_norm_eps', { above: 0, max: 0.1, default: 1e-5 });
    const parallel = c.bool('use_parallel_residual', true);
    const activation = c.activation('hidden_act', 'gelu');
    const tied = c.bool('tie_word_embeddings', false);
    const attnBias = c.bool('attention_bias', true);
    if (c.config.rope_scaling !== null && c.config.rope_scaling !== undefined) c.fail('rope_scaling', c.config.rope_scaling, 'null (rope scaling is not supported for GPT-NeoX)');

    const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: H, headDim: hd, dFf: F };

    c.decoder(dims, {
      tokenEmbedding: 'gpt_neox.embed_in.weight',
      layer: (i) => {
        const f = `gpt_neox.layers.${i}.`;
        const qkv = `${f}attention.query_key_value.`;
        return {
          norm1: `${f}input_layernorm.weight`,
          norm1Bias: `${f}input_layernorm.bias`,
          // query_key_value [3D, D]: rows [heads, 3, headDim]
          attention: { qkv: `${qkv}weight`, qkvBias: attnBias ? `${qkv}bias` : undefined, rows: (part) => interleavedRows(H, 3, part, hd) },
          o: `${f}attention.dense.weight`,
          oBias: attnBias ? `${f}attention.dense.bias` : undefined,
          norm2: `${f}post_attention_layernorm.weight`,
          norm2Bias: `${f}post_attention_layernorm.bias`,
          mlpIn: `${f}mlp.dense_h_to_4h.weight`,
          mlpInBias: `${f}mlp.dense_h_to_4h.bias`,
          mlpOut: `${f}mlp.dense_4h_to_h.weight`,
          mlpOutBias: `${f}mlp.dense_4h_to_h.bias`,
        };
      },
      finalNorm: 'gpt_neox.final_layer_norm.weight',
      finalNormBias: 'gpt_neox.final_layer_norm.bias',
      lmHead: tied ? undefined : 'embed_out.weight',
    });

    return c.finish({
      family: 'neox',
      architecture: c.architecture(),
      ...dims,
      maxPositions: P,
      norm: 'layernorm',
      normEps: eps,
      activation,
      gated: false,
      positional: { kind: 'rotary', theta, rotaryDim, interleaved: false },
      parallelResidual: parallel,
      bias: { qkv: attnBias, attnOut: attnBias, mlp: true },
      tiedEmbeddings: tied,
    });
  },
};
