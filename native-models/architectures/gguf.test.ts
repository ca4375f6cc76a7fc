// GGUF fixtures (make_gguf.py): each maps to its expected spec and the plain forward pass over the
// canonical (dequantized) weights reproduces the PyTorch reference run on the dequantized,
// un-permuted HF-layout weights: this pins llama.cpp's Q/K permutation (llama: interleaved rotary
// on the permuted rows; qwen2: not permuted), the tensor names, GPT-2's fused attn_qkv, tied
// heads, and the quantized types' dequantization. Then the metadata the mapper refuses.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../formats/checkpoint.js';
import type { CheckpointReader, TensorInfo } from '../formats/checkpoint.js';
import { loadFromReader, loadModel } from '../load.js';
import type { LoadedModel, ModelSpec } from '../spec.js';
import { mapCheckpoint } from './registry.js';
import { architectureError, FIXTURES_DIR, type Golden, goldenForward, goldenMismatches, mismatch } from './testing.js';

const DIR = join(FIXTURES_DIR, 'gguf-models');
const names = readdirSync(DIR).sort();
const golden = (name: string): Golden & { tensor_types: string[] } => JSON.parse(readFileSync(join(DIR, name, 'golden.json'), 'utf8')) as Golden & { tensor_types: string[] };
const file = (name: string): string => join(DIR, name, 'model.gguf');

const forward = goldenForward;

describe('GGUF fixtures', () => {
  it('are all present', () => {
    expect(names).toEqual(['gpt2-f32', 'gpt2-q8_0', 'llama-f32', 'llama-q4_k', 'llama-q8_0', 'llama-qmix', 'llama31-f32', 'qwen2-q8_0']);
  });

  for (const name of names) {
    it(`${name}: maps to the expected spec and reproduces the golden outputs`, () => {
      const g = golden(name);
      const reader = openCheckpoint(file(name));
      expect(reader.format).toBe('gguf');
      expect([...new Set([...reader.tensors.values()].map((t) => t.dtype))].sort()).toEqual(g.tensor_types);
      const m = loadFromReader(reader);
      expect(m.spec).toEqual(g.expected_spec);
      expect(goldenMismatches(m, g)).toEqual([]);
    });
  }

  it('qwen2: q/k/v biases and NEOX (halves) rotary on unpermuted q/k; interleaved pairs or no biases break the match', () => {
    const g = golden('qwen2-q8_0');
    const m = loadModel(file('qwen2-q8_0'));
    expect(m.spec.bias.qkv).toBe(true);
    const pos = m.spec.positional;
    if (pos.kind !== 'rotary') throw new Error('not rotary');
    expect(pos.interleaved).toBe(false);
    const interleaved: LoadedModel = { ...m, spec: { ...m.spec, positional: { ...pos, interleaved: true } } };
    expect(mismatch(forward(interleaved, g.input_ids).logits, g.logits, g.tolerance)).not.toBeNull();
    const isBias = (n: string): boolean => /\.attn\.[qkv]\.bias$/.test(n);
    expect(m.weightNames().filter(isBias)).toHaveLength(3 * m.spec.nLayers);
    const noBias: LoadedModel = {
      ...m,
      spec: { ...m.spec, bias: { ...m.spec.bias, qkv: false } },
      weightNames: () => m.weightNames().filter((n) => !isBias(n)),
      weight: (n) => {
        if (isBias(n)) throw new Error(`absent: ${n}`);
        return m.weight(n);
      },
    };
    expect(mismatch(forward(noBias, g.input_ids).logits, g.logits, g.tolerance)).not.toBeNull();
  });

  it('llama: the rotary convention matters (halves instead of interleaved pairs breaks the match)', () => {
    const g = golden('llama-f32');
    const m = loadModel(file('llama-f32'));
    const pos = m.spec.positional;
    if (pos.kind !== 'rotary') throw new Error('not rotary');
    const changed: LoadedModel = { ...m, spec: { ...m.spec, positional: { ...pos, interleaved: false } } };
    expect(mismatch(forward(changed, g.input_ids).logits, g.logits, g.tolerance)).not.toBeNull();
  });

  it('llama31: rope_freqs.weight becomes positional.freqFactors, and the golden needs them', () => {
    const g = golden('llama31-f32');
    const m = loadModel(file('llama31-f32'));
    const pos = m.spec.positional;
    if (pos.kind !== 'rotary') throw new Error('not rotary');
    // llama3 factors (factor 8, low 1, high 4, original context 64) of theta 10000, head_dim 8:
    // kept, smoothed, divided by 8, divided by 8
    expect(pos.freqFactors?.[0]).toBe(1);
    expect(pos.freqFactors?.[1]).toBeGreaterThan(1);
    expect(pos.freqFactors?.[1]).toBeLessThan(8);
    expect(pos.freqFactors?.slice(2)).toEqual([8, 8]);
    const without: LoadedModel = { ...m, spec: { ...m.spec, positional: { ...pos, freqFactors: undefined } } };
    expect(mismatch(forward(without, g.input_ids).logits, g.logits, g.tolerance)).not.toBeNull();
  });
});

/** A reader over `base` with changed metadata / tensors (reads still come from the file). */
function withMeta(base: CheckpointReader, meta: Record<string, unknown>, opts?: { drop?: string[]; add?: TensorInfo[] }): CheckpointReader {
  const config: Record<string, unknown> = { ...(base.config ?? {}) };
  for (const [k, v] of Object.entries(meta)) {
    if (v === undefined) delete config[k];
    else config[k] = v;
  }
  const tensors = new Map(base.tensors);
  for (const d of opts?.drop ?? []) tensors.delete(d);
  for (const t of opts?.add ?? []) tensors.set(t.name, t);
  return { ...base, format: base.format, paths: base.paths, config, tensors, read: (n) => base.read(n), sha256: () => base.sha256() };
}

describe('GGUF metadata -> ModelSpec', () => {
  const llama = (): CheckpointReader => openCheckpoint(file('llama-f32'));
  const gpt2 = (): CheckpointReader => openCheckpoint(file('gpt2-f32'));
  const spec = (r: CheckpointReader): ModelSpec => mapCheckpoint(r).spec;

  it('an unsupported architecture is refused by name with the supported list', () => {
    const e = architectureError(() => mapCheckpoint(withMeta(llama(), { 'general.architecture': 'falcon' })));
    expect(e.field).toBe('general.architecture');
    expect(e.message).toContain('GGUF metadata "general.architecture" is "falcon"; expected one of llama, qwen2, gpt2');
  });

  it('qwen2 is read with halves rotary (llama.cpp does not permute it, NEOX rope) and q/k/v biases when present', () => {
    const base = llama();
    const meta: Record<string, unknown> = { 'general.architecture': 'qwen2' };
    for (const [k, v] of Object.entries(base.config ?? {})) if (k.startsWith('llama.')) meta[`qwen2.${k.slice(6)}`] = v;
    const s = spec(withMeta(base, meta));
    expect(s.architecture).toBe('qwen2');
    expect(s.positional).toMatchObject({ kind: 'rotary', interleaved: false, theta: 1000 });
    expect(spec(base).positional).toMatchObject({ interleaved: true });
    const bias = (name: string, n: number): TensorInfo => ({ ...(base.tensors.get('blk.0.attn_norm.weight') as TensorInfo), name, shape: [n] });
    const L = spec(base).nLayers;
    const add: TensorInfo[] = [];
    for (let i = 0; i < L; i++) add.push(bias(`blk.${i}.attn_q.bias`, 32), bias(`blk.${i}.attn_k.bias`, 16), bias(`blk.${i}.attn_v.bias`, 16));
    expect(spec(withMeta(base, meta, { add })).bias).toEqual({ qkv: true, attnOut: false, mlp: false });
  });

  it('refuses what the spec cannot express, naming the key and value', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ 'llama.rope.scaling.type': 'yarn', 'llama.rope.scaling.factor': 4 }, '"llama.rope.scaling.type" is "yarn"'],
      [{ 'llama.rope.scaling.factor': 8 }, '"llama.rope.scaling.factor" is 8'],
      [{ 'llama.expert_count': 8 }, '"llama.expert_count" is 8'],
      [{ 'llama.attention.head_count_kv': 3 }, '"llama.attention.head_count_kv" is 3; expected a divisor'],
      [{ 'llama.block_count': undefined }, '"llama.block_count" is nothing (missing)'],
      [{ 'llama.vocab_size': 7 }, '"llama.vocab_size" is 7'],
      [{ 'llama.attention.value_length': 4 }, '"llama.attention.value_length" is 4'],
    ];
    for (const [meta, text] of cases) expect(architectureError(() => mapCheckpoint(withMeta(llama(), meta))).message).toContain(text);
    // rope_freqs.weight of the wrong length (output_norm's [32] instead of head_dim / 2 = [4])
    expect(architectureError(() => mapCheckpoint(withMeta(llama(), {}, { add: [{ ...(llama().tensors.get('output_norm.weight') as TensorInfo), name: 'rope_freqs.weight' }] }))).message).toContain(
      'tensor "rope_freqs.weight" has shape [32]; expected [4]',
    );
    expect(architectureError(() => mapCheckpoint(withMeta(llama(), {}, { drop: ['blk.1.ffn_gate.weight'] }))).message).toContain('missing tensor "blk.1.ffn_gate.weight"');
    expect(architectureError(() => mapCheckpoint(withMeta(gpt2(), {}, { drop: ['position_embd.weight'] }))).message).toContain('missing tensor "position_embd.weight"');
    expect(architectureError(() => mapCheckpoint(withMeta(gpt2(), { 'gpt2.attention.head_count': 5 }))).message).toContain('"gpt2.attention.head_count" is 5');
  });

  it('64-bit metadata values given as bigint are read as numbers', () => {
    expect(spec(withMeta(llama(), { 'llama.block_count': 2n, 'llama.context_length': 64n })).nLayers).toBe(2);
  });

  it('tied and untied heads: output.weight present or not', () => {
    expect(spec(llama()).tiedEmbeddings).toBe(false);
    expect(spec(gpt2()).tiedEmbeddings).toBe(true);
    expect(spec(withMeta(llama(), {}, { drop: ['output.weight'] })).tiedEmbeddings).toBe(true);
  });
});
