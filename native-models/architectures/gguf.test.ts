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
import { type LoadedModel, type ModelSpec, W } from '../spec.js';
import { mapCheckpoint } from './registry.js';
import { architectureError, FIXTURES_DIR, type Golden, goldenForward, goldenMismatches, mismatch } from './testing.js';

const DIR = join(FIXTURES_DIR, 'gguf-models');
const names = readdirSync(DIR).sort();
const golden = (name: string): Golden & { tensor_types: string[] } => JSON.parse(readFileSync(join(DIR, name, 'golden.json'), 'utf8')) as Golden & { tensor_types: string[] };
const file = (name: string): string => join(DIR, name, 'model.gguf');

const forward = goldenForward;

describe('GGUF fixtures', () => {
  it('are all present', () => {
    expect(names).toEqual(['gpt2-f32', 'gpt2-q8_0', 'llama-f32', 'llama-q4_k', 'llama-q8_0', 'llama-qmix', 'llama31-f32', 'mixtral-f32', 'qwen2-q8_0']);
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

describe('GGUF mixture of experts (llama.cpp Mixtral layout)', () => {
  const mixtral = (): CheckpointReader => openCheckpoint(file('mixtral-f32'));

  it('stacked 3-D experts become the HF Mixtral neuron axis: expert j at j * expertFf; router as stored', () => {
    const r = mixtral();
    const m = loadFromReader(r);
    expect(m.spec.moe).toEqual({ experts: 4, expertFf: 16, topK: 2, scoring: 'softmax', normTopK: true });
    expect(m.spec.dFf).toBe(64);
    const D = m.spec.dModel;
    const w = W.layer(1);
    expect(r.tensors.get('blk.1.ffn_down_exps.weight')?.shape).toEqual([4, D, 16]);
    // gate / up: the 3-D tensor's elements as they are, [E * ff, D]
    expect(m.weight(w.mlpGate).shape).toEqual([64, D]);
    expect([...m.weight(w.mlpGate).data]).toEqual([...r.read('blk.1.ffn_gate_exps.weight')]);
    expect([...m.weight(w.mlpIn).data]).toEqual([...r.read('blk.1.ffn_up_exps.weight')]);
    // down [E, D, ff] -> [D, E * ff]: row d, columns 32..47 are expert 2's row d
    const out = m.weight(w.mlpOut);
    expect(out.shape).toEqual([D, 64]);
    const down = r.read('blk.1.ffn_down_exps.weight');
    for (let d = 0; d < D; d++) expect([...out.data.subarray(d * 64 + 32, d * 64 + 48)]).toEqual([...down.subarray((2 * D + d) * 16, (2 * D + d + 1) * 16)]);
    expect([...m.weight(w.router).data]).toEqual([...r.read('blk.1.ffn_gate_inp.weight')]);
    expect(m.quantized?.(w.mlpGate) ?? null).toBeNull();
  });

  it('the routing rule matters: top-1, or no renormalisation, breaks the golden match', () => {
    const g = golden('mixtral-f32');
    const m = loadModel(file('mixtral-f32'));
    const moe = m.spec.moe;
    if (!moe) throw new Error('no moe');
    for (const changed of [{ ...moe, topK: 1 }, { ...moe, normTopK: false }]) {
      expect(mismatch(forward({ ...m, spec: { ...m.spec, moe: changed } }, g.input_ids).logits, g.logits, g.tolerance)).not.toBeNull();
    }
  });

  it('refuses what it cannot run, naming the key or tensor', () => {
    const r = mixtral();
    const gate = r.tensors.get('blk.0.ffn_gate_exps.weight') as TensorInfo;
    // the same keys under qwen2.: llama.cpp's qwen2 has no experts (Qwen2-MoE is its own architecture, qwen2moe)
    const qwen2Meta: Record<string, unknown> = { 'general.architecture': 'qwen2' };
    for (const [k, v] of Object.entries(r.config ?? {})) if (k.startsWith('llama.')) qwen2Meta[`qwen2.${k.slice(6)}`] = v;
    const cases: [CheckpointReader, string][] = [
      [withMeta(r, {}, { add: [{ ...gate, dtype: 'Q4_K' }] }), 'tensor "blk.0.ffn_gate_exps.weight" is Q4_K: quantized mixture-of-experts weights are not supported'],
      [withMeta(r, { 'llama.expert_used_count': 5 }), '"llama.expert_used_count" is 5; expected an integer from 1 to 4'],
      [withMeta(r, { 'llama.expert_gating_func': 2 }), '"llama.expert_gating_func" is 2'],
      [withMeta(r, {}, { drop: ['blk.0.ffn_gate_exps.weight'], add: [{ ...gate, name: 'blk.0.ffn_gate.0.weight', shape: [16, 32] }] }), 'per-expert tensors "blk.N.ffn_gate.J.weight"'],
      [withMeta(r, {}, { drop: ['blk.1.ffn_down_exps.weight'] }), 'missing tensor "blk.1.ffn_down_exps.weight"'],
      [withMeta(r, {}, { add: [{ ...gate, name: 'blk.1.ffn_up_exps.weight', shape: [4, 32, 16] }] }), 'tensor "blk.1.ffn_up_exps.weight" has shape [4, 32, 16]; expected [4, 16, 32]'],
      [withMeta(r, qwen2Meta), '"qwen2.expert_count" is 4; expected 0 or absent'],
    ];
    for (const [reader, text] of cases) expect(architectureError(() => mapCheckpoint(reader)).message).toContain(text);
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
      // a mixture of experts needs its k (and then its expert tensors: the MoE test below)
      [{ 'llama.expert_count': 8 }, '"llama.expert_used_count" is nothing (missing)'],
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
