// GPT-2 (GPT2LMHeadModel, GPT2Model). Conv1D weights are stored [in, out] and are transposed;
// the fused attn.c_attn [D, 3D] is split into q, k, v. Names carry a "transformer." prefix when
// saved from GPT2LMHeadModel and none when saved from GPT2Model (as openai-community/gpt2 ships).

import type { CheckpointReader } from '../formats/checkpoint.js';
import { type Dims, LIMITS, MapContext, type Mapper, type Mapping } from './common.js';

export const gpt2Mapper: Mapper = {
  architectures: ['GPT2LMHeadModel', 'GPT2Model'],
  modelTypes: ['gpt2'],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'config.json');
    const { D, L, H } = c.widthDepthHeads('n_embd', 'n_layer', 'n_head');
    const F = c.int('n_inner', { min: 1, max: LIMITS.dim, default: 4 * D });
    const V = c.int('vocab_size', { min: 1, max: LIMITS.vocab });
    const P = c.int('n_positions', { min: 1, max: LIMITS.positions });
    const eps = c.num('layer_norm_epsilon', { above: 0, max: 0.1, default: 1e-5 });
    const activation = c.activation('activation_function', 'gelu_new');
    const tied = c.bool('tie_word_embeddings', true);
    c.expect('scale_attn_weights', true, 'attention scaled by 1/sqrt(head dim)');
    c.expect('scale_attn_by_inverse_layer_idx', false, 'no per-layer attention scaling');
    c.expect('add_cross_attention', false, 'a decoder-only model');

    const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: H, headDim: D / H, dFf: F };

    const p = c.has('transformer.wte.weight') || !c.has('wte.weight') ? 'transformer.' : '';
    c.decoder(dims, {
      tokenEmbedding: `${p}wte.weight`,
      positionEmbedding: { tensor: `${p}wpe.weight`, rows: P },
      layer: (i) => {
        const f = `${p}h.${i}.`;
        return {
          transposed: true,
          norm1: `${f}ln_1.weight`,
          norm1Bias: `${f}ln_1.bias`,
          // c_attn [D, 3D]: q, k, v are consecutive blocks of D output columns
          attention: { qkv: `${f}attn.c_attn.weight`, qkvBias: `${f}attn.c_attn.bias`, rows: (part) => [[part * D, D]] },
          o: `${f}attn.c_proj.weight`,
          oBias: `${f}attn.c_proj.bias`,
          norm2: `${f}ln_2.weight`,
          norm2Bias: `${f}ln_2.bias`,
          mlpIn: `${f}mlp.c_fc.weight`,
          mlpInBias: `${f}mlp.c_fc.bias`,
          mlpOut: `${f}mlp.c_proj.weight`,
          mlpOutBias: `${f}mlp.c_proj.bias`,
        };
      },
      finalNorm: `${p}ln_f.weight`,
      finalNormBias: `${p}ln_f.bias`,
      lmHead: tied ? undefined : 'lm_head.weight',
    });

    return c.finish({
      family: 'gpt2',
      architecture: c.architecture(),
      ...dims,
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

