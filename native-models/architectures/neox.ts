// GPT-NeoX / Pythia (GPTNeoXForCausalLM). The fused attention.query_key_value [3D, D] is laid out
// per head: viewed as [heads, 3, headDim] rows (q, k, v of head 0, then of head 1, ...), so q, k
// and v are cut out head by head. Partial rotary (rotary_pct) on halves, parallel residual.

import type { CheckpointReader } from '../formats/checkpoint.js';
import { W } from '../spec.js';
import { interleavedRows, LIMITS, MapContext, type Mapper, type Mapping } from './common.js';

export const neoxMapper: Mapper = {
  architectures: ['GPTNeoXForCausalLM'],
  modelTypes: ['gpt_neox'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const D = c.int('hidden_size', { min: 1, max: LIMITS.dim });
    const L = c.int('num_hidden_layers', { min: 1, max: LIMITS.layers });
    const H = c.int('num_attention_heads', { min: 1, max: D });
    if (D % H !== 0) c.fail('num_attention_heads', H, `a divisor of hidden_size (${D})`);
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

    c.copy(W.tokenEmbedding, 'gpt_neox.embed_in.weight', [V, D]);
    for (let i = 0; i < L; i++) {
      const w = W.layer(i);
      const f = `gpt_neox.layers.${i}.`;
      c.copy(w.norm1Weight, `${f}input_layernorm.weight`, [D]);
      c.copy(w.norm1Bias, `${f}input_layernorm.bias`, [D]);
      const qkv = `${f}attention.query_key_value.`;
      c.add(w.q, `${qkv}weight`, [3 * D, D], { rows: interleavedRows(H, 3, 0, hd) });
      c.add(w.k, `${qkv}weight`, [3 * D, D], { rows: interleavedRows(H, 3, 1, hd) });
      c.add(w.v, `${qkv}weight`, [3 * D, D], { rows: interleavedRows(H, 3, 2, hd) });
      if (attnBias) {
        c.add(w.qBias, `${qkv}bias`, [3 * D], { rows: interleavedRows(H, 3, 0, hd) });
        c.add(w.kBias, `${qkv}bias`, [3 * D], { rows: interleavedRows(H, 3, 1, hd) });
        c.add(w.vBias, `${qkv}bias`, [3 * D], { rows: interleavedRows(H, 3, 2, hd) });
      }
      c.copy(w.o, `${f}attention.dense.weight`, [D, D]);
      if (attnBias) c.copy(w.oBias, `${f}attention.dense.bias`, [D]);
      c.copy(w.norm2Weight, `${f}post_attention_layernorm.weight`, [D]);
      c.copy(w.norm2Bias, `${f}post_attention_layernorm.bias`, [D]);
      c.copy(w.mlpIn, `${f}mlp.dense_h_to_4h.weight`, [F, D]);
      c.copy(w.mlpInBias, `${f}mlp.dense_h_to_4h.bias`, [F]);
      c.copy(w.mlpOut, `${f}mlp.dense_4h_to_h.weight`, [D, F]);
      c.copy(w.mlpOutBias, `${f}mlp.dense_4h_to_h.bias`, [D]);
    }
    c.copy(W.finalNormWeight, 'gpt_neox.final_layer_norm.weight', [D]);
    c.copy(W.finalNormBias, 'gpt_neox.final_layer_norm.bias', [D]);
    if (!tied) c.copy(W.lmHead, 'embed_out.weight', [V, D]);

    return c.finish({
      family: 'neox',
      architecture: c.architecture(),
      vocabSize: V,
      dModel: D,
      nLayers: L,
      nHeads: H,
      nKvHeads: H,
      headDim: hd,
      dFf: F,
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
