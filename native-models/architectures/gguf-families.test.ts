// GGUF files of Qwen3, Phi-3, Gemma 2 and Gemma 3 (fixtures/gguf-families, written by
// make_families.py with llama.cpp's tensor names and metadata): each maps to its expected spec and
// the plain forward over the canonical weights reproduces the PyTorch reference (run on the HF-named
// weights read back from the file). This pins llama.cpp's names (attn_qkv, the fused ffn_up of
// phi3, post_attention_norm / post_ffw_norm, attn_q_norm), the Gemma norms stored with the +1
// already added, llama.cpp's fixed sliding-window patterns and gemma3's local rope base.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../formats/checkpoint.js';
import { loadFromReader, loadModel } from '../load.js';
import { W } from '../spec.js';
import { mapCheckpoint } from './registry.js';
import { architectureError, FIXTURES_DIR, type Golden, goldenMismatches, mutated } from './testing.js';

const DIR = join(FIXTURES_DIR, 'gguf-families');
const golden = (name: string): Golden => JSON.parse(readFileSync(join(DIR, name, 'golden.json'), 'utf8')) as Golden;
const file = (name: string): string => join(DIR, name, 'model.gguf');

describe('GGUF dense families', () => {
  it('are all present', () => {
    expect(readdirSync(DIR).sort()).toEqual(['gemma2-f32', 'gemma3-f32', 'phi3-f32', 'qwen3-f32']);
  });

  for (const name of ['gemma2-f32', 'gemma3-f32', 'phi3-f32', 'qwen3-f32']) {
    it(`${name}: maps to the expected spec and reproduces the golden outputs`, () => {
      const g = golden(name);
      const m = loadModel(file(name));
      expect(m.spec).toEqual(g.expected_spec);
      expect(goldenMismatches(m, g)).toEqual([]);
    });
  }

  it('gemma: the norm weights are read as stored (convert_hf_to_gguf.py already added 1)', () => {
    const r = openCheckpoint(file('gemma2-f32'));
    const m = loadFromReader(r);
    expect([...m.weight(W.layer(1).postMlpNorm).data]).toEqual([...r.read('blk.1.post_ffw_norm.weight')]);
    expect([...m.weight(W.finalNormWeight).data]).toEqual([...r.read('output_norm.weight')]);
  });

  it('refuses LongRoPE factors and gemma3 soft-capping by name', () => {
    const r = openCheckpoint(file('phi3-f32'));
    const withFactors = { ...r, tensors: new Map([...r.tensors, ['rope_factors_long.weight', { ...(r.tensors.get('output_norm.weight') as NonNullable<ReturnType<typeof r.tensors.get>>), name: 'rope_factors_long.weight' }]]) };
    expect(architectureError(() => mapCheckpoint(withFactors)).message).toContain('LongRoPE');
    const g3 = mutated(openCheckpoint(file('gemma3-f32')), { config: { 'gemma3.final_logit_softcapping': 30 } });
    expect(architectureError(() => mapCheckpoint(g3)).message).toContain('"gemma3.final_logit_softcapping" is 30; expected absent');
  });
});
