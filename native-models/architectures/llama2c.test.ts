import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../formats/checkpoint.js';
import { loadFromReader, loadModel } from '../load.js';
import { W } from '../spec.js';
import { mapCheckpoint } from './registry.js';
import { architectureError as error, fixturePath, mutated } from './testing.js';
import { howToGet, refModel } from '../test-support/ref-models.js';

const STORIES = refModel('stories260K.bin').path;
const haveStories = existsSync(STORIES);
if (!haveStories) console.warn(`llama2c.test.ts: ${howToGet('stories260K.bin')}`);

describe('llama2c mapper', () => {
  it('maps run.c names: w1 = gate, w3 = up, w2 = down; shared classifier = tied', () => {
    const r = openCheckpoint(fixturePath('llama2c'));
    const m = loadFromReader(r);
    expect(m.spec).toMatchObject({ family: 'llama', architecture: 'llama2.c', tiedEmbeddings: true, normEps: 1e-5, gated: true, activation: 'silu' });
    expect(m.spec.positional).toEqual({ kind: 'rotary', theta: 10000, rotaryDim: 8, interleaved: true });
    const w = W.layer(1);
    expect([...m.weight(w.mlpGate).data]).toEqual([...r.read('layers.1.w1')]);
    expect([...m.weight(w.mlpIn).data]).toEqual([...r.read('layers.1.w3')]);
    expect([...m.weight(w.mlpOut).data]).toEqual([...r.read('layers.1.w2')]);
    expect([...m.weight(w.norm2Weight).data]).toEqual([...r.read('layers.1.rms_ffn_weight')]);
    expect(m.weight(w.k).shape).toEqual([16, 32]);
    expect(m.weightNames()).not.toContain(W.lmHead);
    expect(m.source.format).toBe('llama2c');
  });

  it('negative vocab_size: separate classifier wcls', () => {
    const r = openCheckpoint(fixturePath('llama2c-unshared'));
    const m = loadFromReader(r);
    expect(m.spec.tiedEmbeddings).toBe(false);
    expect(m.spec.vocabSize).toBe(80);
    expect([...m.weight(W.lmHead).data]).toEqual([...r.read('wcls')]);
  });

  it('names a bad header value', () => {
    const r = openCheckpoint(fixturePath('llama2c'));
    const e = error(() => mapCheckpoint(mutated(r, { config: { n_kv_heads: 3 } })));
    expect(e.message).toContain('llama2.c header "n_kv_heads" is 3; expected a divisor of n_heads (4)');
  });

  it.skipIf(!haveStories)('stories260K.bin maps to the spec its README gives', () => {
    const m = loadModel(STORIES);
    expect(m.spec).toEqual({
      family: 'llama',
      architecture: 'llama2.c',
      vocabSize: 512,
      dModel: 64,
      nLayers: 5,
      nHeads: 8,
      nKvHeads: 4,
      headDim: 8,
      dFf: 172,
      maxPositions: 512,
      norm: 'rmsnorm',
      normEps: 1e-5,
      activation: 'silu',
      gated: true,
      positional: { kind: 'rotary', theta: 10000, rotaryDim: 8, interleaved: true },
      parallelResidual: false,
      bias: { qkv: false, attnOut: false, mlp: false },
      tiedEmbeddings: true,
      params: 512 * 64 + 5 * (64 + 64 * 64 + 2 * 32 * 64 + 64 * 64 + 64 + 3 * 172 * 64) + 64,
    });
    expect(m.spec.params).toBe(260032);
    expect(m.weight(W.layer(4).k).shape).toEqual([32, 64]);
    expect(m.weight(W.layer(4).mlpOut).shape).toEqual([64, 172]);
  });
});
