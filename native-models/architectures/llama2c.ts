// llama2.c legacy .bin (run.c): a Llama with RMSNorm (eps 1e-5), SwiGLU (w1 = gate, w3 = up,
// w2 = down), rotary theta 10000 on INTERLEAVED pairs (2i, 2i+1) as run.c rotates them, and a
// classifier shared with the token embedding unless the header's vocab_size was negative.

import type { CheckpointReader } from '../formats/checkpoint.js';
import { type Dims, LIMITS, MapContext, type Mapper, type Mapping } from './common.js';

export const llama2cMapper: Mapper = {
  architectures: ['llama2.c'],
  modelTypes: [],
  map(reader: CheckpointReader): Mapping {
    const c = new MapContext(reader, 'llama2.c header');
    const D = c.int('dim', { min: 1, max: LIMITS.dim });
    const F = c.int('hidden_dim', { min: 1, max: LIMITS.dim });
    const L = c.int('n_layers', { min: 1, max: LIMITS.layers });
    const H = c.int('n_heads', { min: 1, max: D });
    if (D % H !== 0 || (D / H) % 2 !== 0) c.fail('n_heads', H, `a divisor of dim (${D}) leaving an even head size`);
    const KV = c.int('n_kv_heads', { min: 1, max: H });
    if (H % KV !== 0) c.fail('n_kv_heads', KV, `a divisor of n_heads (${H})`);
    const V = c.int('vocab_size', { min: 1, max: LIMITS.vocab });
    const seqLen = c.int('seq_len', { min: 1, max: LIMITS.positions });
    const shared = c.bool('shared_classifier', true);
    const hd = D / H;
    const dims: Dims = { vocabSize: V, dModel: D, nLayers: L, nHeads: H, nKvHeads: KV, headDim: hd, dFf: F };

    c.decoder(dims, {
      tokenEmbedding: 'token_embedding_table',
      layer: (i) => {
        const f = `layers.${i}.`;
        return {
          norm1: `${f}rms_att_weight`,
          attention: { q: `${f}wq`, k: `${f}wk`, v: `${f}wv` },
          o: `${f}wo`,
          norm2: `${f}rms_ffn_weight`,
          mlpGate: `${f}w1`,
          mlpIn: `${f}w3`,
          mlpOut: `${f}w2`,
        };
      },
      finalNorm: 'rms_final_weight',
      lmHead: shared ? undefined : 'wcls',
    });

    return c.finish({
      family: 'llama',
      architecture: 'llama2.c',
      ...dims,
      maxPositions: seqLen,
      norm: 'rmsnorm',
      normEps: 1e-5,
      activation: 'silu',
      gated: true,
      positional: { kind: 'rotary', theta: 10000, rotaryDim: hd, interleaved: true },
      parallelResidual: false,
      bias: { qkv: false, attnOut: false, mlp: false },
      tiedEmbeddings: shared,
    });
  },
};
