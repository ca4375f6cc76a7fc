// GPT-2 (GPT2LMHeadModel, GPT2Model). Conv1D weights are stored [in, out] and are transposed;
// the fused attn.c_attn [D, 3D] is split into q, k, v. Names carry a "transformer." prefix when
// saved from GPT2LMHeadModel and none when saved from GPT2Model (as openai-community/gpt2 ships).

import type { CheckpointReader } from '../formats/checkpoint.js';
import { W } from '../spec.js';
import { LIMITS, MapContext, type Mapper, type Mapping } from './common.js';

export const gpt2Mapper: Mapper = {
  architectures: ['GPT2LMHeadModel', 'GPT2Model'],
  modelTypes: ['gpt2'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const D = c.int('n_embd', { min: 1, max: LIMITS.dim });
    const L = c.int('n_layer', { min: 1, max: LIMITS.layers });
    const H = c.int('n_head', { min: 1, max: D });
    if (D % H !== 0) c.fail('n_head', H, `a divisor of n_embd (${D})`);
    const F = c.int('n_inner', { min: 1, max: LIMITS.dim, default: 4 * D });
    const V = c.int('vocab_size', { min: 1, max: LIMITS.vocab });
    const P = c.int('n_positions', { min: 1, max: LIMITS.positions });
    const eps = c.num('layer_norm_epsilon', { above: 0, max: 0.1, default: 1e-5 });
    const activation = c.activation('activation_function', 'gelu_new');
    const tied = c.bool('tie_word_embeddings', true);
    c.expect('scale_attn_weights', true, 'attention scaled by 1/sqrt(head dim)');
    c.expect('scale_attn_by_inverse_layer_idx', false, 'no per-layer attention scaling');
    c.expect('add_cross_attention', false, 'a decoder-only model');

    const p = c.has('transformer.wte.weight') || !c.has('wte.weight') ? 'transformer.' : '';
    c.copy(W.tokenEmbedding, `${p}wte.weight`, [V, D]);
    c.copy(W.positionEmbedding, `${p}wpe.weight`, [P, D]);
    for (let i = 0; i < L; i++) {
      const w = W.layer(i);
      const f = `${p}h.${i}.`;
      c.copy(w.norm1Weight, `${f}ln_1.weight`, [D]);
      c.copy(w.norm1Bias, `${f}ln_1.bias`, [D]);
      const qkv = `${f}attn.c_attn.weight`;
      c.add(w.q, qkv, [D, 3 * D], { transpose: true, rows: [[0, D]] });
      c.add(w.k, qkv, [D, 3 * D], { transpose: true, rows: [[D, D]] });
      c.add(w.v, qkv, [D, 3 * D], { transpose: true, rows: [[2 * D, D]] });
      const qkvBias = `${f}attn.c_attn.bias`;
      c.add(w.qBias, qkvBias, [3 * D], { rows: [[0, D]] });
      c.add(w.kBias, qkvBias, [3 * D], { rows: [[D, D]] });
      c.add(w.vBias, qkvBias, [3 * D], { rows: [[2 * D, D]] });
      c.add(w.o, `${f}attn.c_proj.weight`, [D, D], { transpose: true });
      c.copy(w.oBias, `${f}attn.c_proj.bias`, [D]);
      c.copy(w.norm2Weight, `${f}ln_2.weight`, [D]);
      c.copy(w.norm2Bias, `${f}ln_2.bias`, [D]);
      c.add(w.mlpIn, `${f}mlp.c_fc.weight`, [D, F], { transpose: true });
      c.copy(w.mlpInBias, `${f}mlp.c_fc.bias`, [F]);
      c.add(w.mlpOut, `${f}mlp.c_proj.weight`, [F, D], { transpose: true });
      c.copy(w.mlpOutBias, `${f}mlp.c_proj.bias`, [D]);
    }
    c.copy(W.finalNormWeight, `${p}ln_f.weight`, [D]);
    c.copy(W.finalNormBias, `${p}ln_f.bias`, [D]);
    if (!tied) c.copy(W.lmHead, 'lm_head.weight', [V, D]);

    return c.finish({
      family: 'gpt2',
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
      normEps: eps,
      activation,
      gated: false,
      positional: { kind: 'learned', offset: 0 },
      parallelResidual: false,
      bias: { qkv: true, attnOut: true, mlp: true },
      tiedEmbeddings: tied,
    });
  },
};

