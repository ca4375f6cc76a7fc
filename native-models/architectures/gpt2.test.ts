import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../formats/checkpoint.js';
import { loadFromReader } from '../load.js';
import { W } from '../spec.js';
import { mapCheckpoint } from './registry.js';
import { architectureError as error, fixturePath, mutated } from './testing.js';

describe('gpt2 mapper', () => {
  for (const [name, prefix] of [
    ['gpt2', 'transformer.'],
    ['gpt2-noprefix', ''],
    ['gpt2-f16', 'transformer.'],
  ] as const) {
    it(`${name}: Conv1D weights are transposed and c_attn is split into q, k, v`, () => {
      const reader = openCheckpoint(fixturePath(name));
      const m = loadFromReader(reader);
      const { dModel: D, dFf: F, nLayers } = m.spec;
      const last = nLayers - 1;
      const cAttn = reader.read(`${prefix}h.${last}.attn.c_attn.weight`); // [D, 3D]
      const cAttnBias = reader.read(`${prefix}h.${last}.attn.c_attn.bias`);
      const w = W.layer(last);
      (['q', 'k', 'v'] as const).forEach((part, p) => {
        const t = m.weight(w[part]);
        expect(t.shape).toEqual([D, D]);
        for (let o = 0; o < D; o++) for (let i = 0; i < D; i++) expect(t.data[o * D + i]).toBe(cAttn[i * 3 * D + p * D + o]);
        const b = m.weight(w[`${part}Bias`]);
        expect(b.shape).toEqual([D]);
        expect([...b.data]).toEqual([...cAttnBias.subarray(p * D, (p + 1) * D)]);
      });
      const cFc = reader.read(`${prefix}h.0.mlp.c_fc.weight`); // [D, F]
      const mlpIn = m.weight(W.layer(0).mlpIn);
      expect(mlpIn.shape).toEqual([F, D]);
      for (let o = 0; o < F; o++) for (let i = 0; i < D; i++) expect(mlpIn.data[o * D + i]).toBe(cFc[i * F + o]);
      const cProj = reader.read(`${prefix}h.0.mlp.c_proj.weight`); // [F, D]
      const mlpOut = m.weight(W.layer(0).mlpOut);
      expect(mlpOut.shape).toEqual([D, F]);
      for (let o = 0; o < D; o++) for (let i = 0; i < F; i++) expect(mlpOut.data[o * F + i]).toBe(cProj[i * D + o]);
      expect(m.weight(W.layer(0).o).shape).toEqual([D, D]);
      // tied: no lm_head; the embedding is the head
      expect(m.weightNames()).not.toContain(W.lmHead);
      expect([...m.weight(W.tokenEmbedding).data]).toEqual([...reader.read(`${prefix}wte.weight`)]);
      expect(m.spec.tiedEmbeddings).toBe(true);
      expect(m.spec.positional).toEqual({ kind: 'learned', offset: 0 });
      expect(m.spec.activation).toBe('gelu_new');
    });
  }

  it('n_inner null means 4 * n_embd; an explicit n_inner is used', () => {
    expect(mapCheckpoint(openCheckpoint(fixturePath('gpt2'))).spec.dFf).toBe(4 * 32);
    expect(mapCheckpoint(openCheckpoint(fixturePath('gpt2-noprefix'))).spec.dFf).toBe(80);
  });

  it('counts parameters once, the tied embedding once', () => {
    const { spec } = mapCheckpoint(openCheckpoint(fixturePath('gpt2')));
    const { dModel: D, dFf: F, vocabSize: V, maxPositions: P, nLayers: L } = spec;
    const perLayer = 4 * D + (3 * D * D + 3 * D) + (D * D + D) + (D * F + F) + (F * D + D);
    expect(spec.params).toBe(V * D + P * D + L * perLayer + 2 * D);
  });

  const reader = () => openCheckpoint(fixturePath('gpt2'));
  it('names an out-of-range config value and what was expected', () => {
    let e = error(() => mapCheckpoint(mutated(reader(), { config: { n_head: 0 } })));
    expect(e.field).toBe('n_head');
    expect(e.message).toContain('config.json "n_head" is 0; expected an integer from 1 to 32');
    e = error(() => mapCheckpoint(mutated(reader(), { config: { n_head: 5 } })));
    expect(e.message).toContain('"n_head" is 5; expected a divisor of n_embd (32)');
    e = error(() => mapCheckpoint(mutated(reader(), { config: { n_embd: 'big' } })));
    expect(e.message).toContain('"n_embd" is "big"; expected an integer');
    e = error(() => mapCheckpoint(mutated(reader(), { config: { layer_norm_epsilon: -1 } })));
    expect(e.message).toContain('"layer_norm_epsilon" is -1; expected a number > 0 and <= 0.1');
    e = error(() => mapCheckpoint(mutated(reader(), { config: { activation_function: 'gelu_10' } })));
    expect(e.message).toMatch(/"activation_function" is "gelu_10"; expected one of gelu_new, gelu_pytorch_tanh/);
    e = error(() => mapCheckpoint(mutated(reader(), { config: { n_positions: undefined } })));
    expect(e.message).toContain('"n_positions" is nothing (missing); expected an integer');
  });

  it('names a missing tensor and a misshapen one', () => {
    let e = error(() => mapCheckpoint(mutated(reader(), { dropTensor: 'transformer.h.1.mlp.c_fc.weight' })));
    expect(e.field).toBe('transformer.h.1.mlp.c_fc.weight');
    expect(e.message).toContain('missing tensor "transformer.h.1.mlp.c_fc.weight" (expected shape [32, 128])');
    e = error(() => mapCheckpoint(mutated(reader(), { reshape: { tensor: 'transformer.h.0.attn.c_attn.weight', shape: [96, 32] } })));
    expect(e.message).toContain('tensor "transformer.h.0.attn.c_attn.weight" has shape [96, 32]; expected [32, 96]');
    // untied needs lm_head.weight
    e = error(() => mapCheckpoint(mutated(reader(), { config: { tie_word_embeddings: false } })));
    expect(e.message).toContain('missing tensor "lm_head.weight" (expected shape [96, 32])');
  });
});
