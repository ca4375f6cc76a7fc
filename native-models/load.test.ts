import { describe, expect, it } from 'vitest';
import { ArchitectureError } from './architectures/common.js';
import { fixturePath } from './architectures/testing.js';
import { openCheckpoint } from './formats/checkpoint.js';
import { FormatError } from './formats/errors.js';
import { loadFromReader, loadModel } from './load.js';
import { W } from './spec.js';

describe('loadModel', () => {
  it('opens, maps, and describes its source', () => {
    const m = loadModel(fixturePath('gpt2'));
    const r = openCheckpoint(fixturePath('gpt2'));
    expect(m.spec.family).toBe('gpt2');
    expect(m.source.format).toBe('safetensors');
    expect(m.source.paths).toEqual(r.paths);
    expect(m.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.source.sha256).toBe(r.sha256());
    expect(m.weightNames()).toContain(W.layer(1).mlpOut);
    expect(m.weightNames()).toHaveLength(2 + 2 + 2 * 16);
  });

  it('reads weights lazily, once, and reads a fused tensor once for q, k and v', () => {
    const r = openCheckpoint(fixturePath('gpt2'));
    const reads: string[] = [];
    const counting = { ...r, tensors: r.tensors, read: (n: string) => (reads.push(n), r.read(n)), sha256: () => r.sha256() };
    const m = loadFromReader(counting);
    expect(reads).toEqual([]);
    const w = W.layer(0);
    const q = m.weight(w.q);
    m.weight(w.k);
    m.weight(w.v);
    expect(m.weight(w.q)).toBe(q);
    expect(reads).toEqual(['transformer.h.0.attn.c_attn.weight']);
  });

  it('an absent canonical weight is an ArchitectureError naming it', () => {
    const m = loadModel(fixturePath('llama'));
    expect(() => m.weight(W.positionEmbedding)).toThrow(ArchitectureError);
    expect(() => m.weight(W.layer(0).qBias)).toThrow(/no weight "layers\.0\.attn\.q\.bias" in this LlamaForCausalLM model/);
  });

  it('a file that is no checkpoint is the reader\'s FormatError', () => {
    expect(() => loadModel(fixturePath('gpt2') + '/golden.json')).toThrow(FormatError);
  });
});
