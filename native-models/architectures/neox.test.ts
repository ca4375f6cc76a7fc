import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../formats/checkpoint.js';
import { loadFromReader } from '../load.js';
import { W } from '../spec.js';
import { mapCheckpoint } from './registry.js';
import { architectureError as error, fixturePath, mutated } from './testing.js';

const reader = () => openCheckpoint(fixturePath('neox'));

describe('neox mapper', () => {
  it('splits query_key_value per head: rows [heads, 3, headDim]', () => {
    const r = reader();
    const m = loadFromReader(r);
    const { dModel: D, nHeads: H, headDim: hd } = m.spec;
    const fused = r.read('gpt_neox.layers.1.attention.query_key_value.weight'); // [3D, D]
    const fusedBias = r.read('gpt_neox.layers.1.attention.query_key_value.bias');
    const w = W.layer(1);
    (['q', 'k', 'v'] as const).forEach((part, p) => {
      const t = m.weight(w[part]);
      const b = m.weight(w[`${part}Bias`]);
      expect(t.shape).toEqual([D, D]);
      for (let h = 0; h < H; h++) {
        for (let j = 0; j < hd; j++) {
          const src = (h * 3 + p) * hd + j;
          expect([...t.data.subarray((h * hd + j) * D, (h * hd + j + 1) * D)]).toEqual([...fused.subarray(src * D, (src + 1) * D)]);
          expect(b.data[h * hd + j]).toBe(fusedBias[src]);
        }
      }
    });
    expect([...m.weight(W.lmHead).data]).toEqual([...r.read('embed_out.weight')]);
  });

  it('partial rotary, parallel residual, exact gelu', () => {
    const { spec } = mapCheckpoint(reader());
    expect(spec.positional).toEqual({ kind: 'rotary', theta: 10000, rotaryDim: 4, interleaved: false });
    expect(spec.parallelResidual).toBe(true);
    expect(spec.activation).toBe('gelu');
    expect(mapCheckpoint(mutated(reader(), { config: { use_parallel_residual: false, hidden_act: 'gelu_new' } })).spec).toMatchObject({ parallelResidual: false, activation: 'gelu_new' });
  });

  it('names bad config values and misshapen tensors', () => {
    expect(error(() => mapCheckpoint(mutated(reader(), { config: { rotary_pct: 0.1 } }))).message).toContain('"rotary_pct" is 0.1; expected a fraction of the head dim (16)');
    expect(error(() => mapCheckpoint(mutated(reader(), { config: { rotary_pct: 1.5 } }))).message).toContain('"rotary_pct" is 1.5; expected a number > 0 and <= 1');
    expect(error(() => mapCheckpoint(mutated(reader(), { config: { hidden_act: 'gelu_fast2' } }))).field).toBe('hidden_act');
    expect(error(() => mapCheckpoint(mutated(reader(), { reshape: { tensor: 'gpt_neox.layers.0.attention.query_key_value.weight', shape: [32, 96] } }))).message).toContain('has shape [32, 96]; expected [96, 32]');
  });
});
