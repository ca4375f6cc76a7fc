// llama2.c legacy .bin (run.c): a Llama with RMSNorm (eps 1e-5), SwiGLU (w1 = gate, w3 = up,
// w2 = down), rotary theta 10000 on INTERLEAVED pairs (2i, 2i+1) as run.c rotates them, and a
// classifier shared with the token embedding unless the header's vocab_size was negative.

import type { CheckpointReader } from '../formats/checkpoint.js';
import { W } from '../spec.js';
import { LIMITS, MapContext, type Mapper, type Mapping } from './common.js';

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

    c.copy(W.tokenEmbedding, 'token_embedding_table', [V, D]);
    for (let i = 0; i < L; i++) {
      const w = W.layer(i);
      const f = `layers.${i}.`;
      c.copy(w.norm1Weight, `${f}rms_att_weight`, [D]);
      c.copy(w.q, `${f}wq`, [H * hd, D]);
      c.copy(w.k, `${f}wk`, [KV * hd, D]);
      c.copy(w.v, `${f}wv`, [KV * hd, D]);
      c.copy(w.o, `${f}wo`, [D, H * hd]);
      c.copy(w.norm2Weight, `${f}rms_ffn_weight`, [D]);
      c.copy(w.mlpGate, `${f}w1`, [F, D]);
      c.copy(w.mlpIn, `${f}w3`, [F, D]);
      c.copy(w.mlpOut, `${f}w2`, [D, F]);
    }
    c.copy(W.finalNormWeight, 'rms_final_weight', [D]);
    if (!shared) c.copy(W.lmHead, 'wcls', [V, D]);

    return c.finish({
      family: 'llama',
      architecture: 'llama2.c',
      vocabSize: V,
      dModel: D,
      nLayers: L,
      nHeads: H,
      nKvHeads: KV,
      headDim: hd,
      dFf: F,
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
