import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../formats/checkpoint.js';
import { loadFromReader } from '../load.js';
import { W } from '../spec.js';
import { mapCheckpoint } from './registry.js';
import { architectureError as error, fixturePath, mutated } from './testing.js';

const reader = () => openCheckpoint(fixturePath('opt'));

describe('opt mapper', () => {
  it('learned positions with offset 2 keep the whole table; relu; tied head', () => {
    const r = reader();
    const m = loadFromReader(r);
    expect(m.spec.positional).toEqual({ kind: 'learned', offset: 2 });
    expect(m.spec.maxPositions).toBe(64);
    expect(m.weight(W.positionEmbedding).shape).toEqual([66, 32]);
    expect(m.spec.activation).toBe('relu');
    expect(m.spec.tiedEmbeddings).toBe(true);
    expect(m.weightNames()).not.toContain(W.lmHead);
    expect([...m.weight(W.layer(1).mlpIn).data]).toEqual([...r.read('model.decoder.layers.1.fc1.weight')]);
    expect([...m.weight(W.layer(1).oBias).data]).toEqual([...r.read('model.decoder.layers.1.self_attn.out_proj.bias')]);
    expect([...m.weight(W.layer(1).norm2Weight).data]).toEqual([...r.read('model.decoder.layers.1.final_layer_norm.weight')]);
    expect([...m.weight(W.finalNormWeight).data]).toEqual([...r.read('model.decoder.final_layer_norm.weight')]);
  });

  it('refuses post-LN (OPT-350m) and project_in/out, naming the field', () => {
    const e = error(() => mapCheckpoint(mutated(reader(), { config: { do_layer_norm_before: false } })));
    expect(e.field).toBe('do_layer_norm_before');
    expect(e.message).toContain('"do_layer_norm_before" is false; expected true (pre-LayerNorm; the post-LN layout of OPT-350m is not supported)');
    expect(error(() => mapCheckpoint(mutated(reader(), { config: { word_embed_proj_dim: 16 } }))).message).toContain('"word_embed_proj_dim" is 16; expected an integer from 32 to 32');
  });

  it('the position table must have max_position_embeddings + 2 rows', () => {
    const e = error(() => mapCheckpoint(mutated(reader(), { reshape: { tensor: 'model.decoder.embed_positions.weight', shape: [64, 32] } })));
    expect(e.message).toContain('tensor "model.decoder.embed_positions.weight" has shape [64, 32]; expected [66, 32]');
  });
});
