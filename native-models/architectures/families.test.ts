// Qwen3, Phi-3, Gemma 2 and Gemma 3 (fixtures written by fixtures/make_families.py): how each
// checkpoint maps, the variants refused by name, and negative controls showing that each spec
// detail these families add is pinned by its golden (changing it breaks the match).

import { describe, expect, it } from 'vitest';
import type { CheckpointReader, TensorInfo } from '../formats/checkpoint.js';
import { openCheckpoint } from '../formats/checkpoint.js';
import { loadFromReader, loadModel } from '../load.js';
import { type LoadedModel, type ModelSpec, type Positional, W } from '../spec.js';
import { roundToDtype } from './gemma.js';
import { mapCheckpoint } from './registry.js';
import { architectureError as error, fixturePath, goldenForward, goldenMismatches, mismatch, mutated, readGolden } from './testing.js';

const reader = (name: string): CheckpointReader => openCheckpoint(fixturePath(name));

function rotary(p: Positional | undefined): Extract<Positional, { kind: 'rotary' }> {
  if (p?.kind !== 'rotary') throw new Error('not rotary');
  return p;
}

describe('qwen3', () => {
  it('maps q_norm / k_norm to the per-head norms and reads head_dim from the config', () => {
    const r = reader('qwen3');
    const m = loadFromReader(r);
    expect(m.spec).toMatchObject({ family: 'llama', architecture: 'Qwen3ForCausalLM', headDim: 16, nHeads: 4, dModel: 32, qkNorm: true });
    expect(m.spec.slidingWindow).toBeUndefined();
    expect(m.weight(W.layer(1).qNorm).shape).toEqual([16]);
    expect([...m.weight(W.layer(1).kNorm).data]).toEqual([...r.read('model.layers.1.self_attn.k_norm.weight')]);
    expect(m.weight(W.layer(0).q).shape).toEqual([64, 32]);
  });

  it('use_sliding_window bands the layers from max_window_layers on, or those layer_types names', () => {
    const on = { use_sliding_window: true, sliding_window: 4, max_window_layers: 1 };
    expect(mapCheckpoint(mutated(reader('qwen3'), { config: on })).spec.slidingWindow).toEqual({ size: 4, layers: [false, true] });
    const typed = mutated(reader('qwen3'), { config: { ...on, layer_types: ['sliding_attention', 'full_attention'] } });
    expect(mapCheckpoint(typed).spec.slidingWindow).toEqual({ size: 4, layers: [true, false] });
    const bad = error(() => mapCheckpoint(mutated(reader('qwen3'), { config: { ...on, layer_types: ['sliding_attention'] } })));
    expect(bad.field).toBe('layer_types');
    expect(bad.message).toContain('a list of 2 (num_hidden_layers) entries');
  });

  it('a missing q_norm is named', () => {
    const e = error(() => mapCheckpoint(mutated(reader('qwen3'), { dropTensor: 'model.layers.1.self_attn.q_norm.weight' })));
    expect(e.message).toContain('missing tensor "model.layers.1.self_attn.q_norm.weight" (expected shape [16])');
  });
});

describe('phi3', () => {
  it('cuts q, k, v out of qkv_proj and gate, up out of gate_up_proj (gate first)', () => {
    const r = reader('phi3');
    const m = loadFromReader(r);
    expect(m.spec).toMatchObject({ family: 'phi3', architecture: 'Phi3ForCausalLM', nHeads: 4, nKvHeads: 2, headDim: 8, dFf: 64, maxPositions: 48 });
    expect(m.spec.positional).toEqual({ kind: 'rotary', theta: 10000, rotaryDim: 6, interleaved: false });
    const qkv = r.read('model.layers.1.self_attn.qkv_proj.weight'); // [(4 + 2 + 2) * 8, 32]
    const D = 32;
    expect([...m.weight(W.layer(1).q).data]).toEqual([...qkv.subarray(0, 32 * D)]);
    expect([...m.weight(W.layer(1).k).data]).toEqual([...qkv.subarray(32 * D, 48 * D)]);
    expect([...m.weight(W.layer(1).v).data]).toEqual([...qkv.subarray(48 * D, 64 * D)]);
    const gateUp = r.read('model.layers.1.mlp.gate_up_proj.weight'); // [2 * 64, 32]
    expect([...m.weight(W.layer(1).mlpGate).data]).toEqual([...gateUp.subarray(0, 64 * D)]);
    expect([...m.weight(W.layer(1).mlpIn).data]).toEqual([...gateUp.subarray(64 * D)]);
    expect(m.weight(W.layer(1).mlpIn).shape).toEqual([64, 32]);
  });

  it('LongRoPE: the short factors divide the frequencies, cos/sin scaled by the attention factor, positions capped at the original context', () => {
    const m = loadModel(fixturePath('phi3-longrope'));
    const p = rotary(m.spec.positional);
    expect(p.freqFactors).toEqual([1.4369, 1.8741, 1.484, 1.3175]);
    expect(p.attentionFactor).toBeCloseTo(Math.sqrt(1 + Math.log(4) / Math.log(64)), 15);
    expect(m.spec.maxPositions).toBe(64);
    // "su" (the first Phi-3 releases) is the same scaling; attention_factor given in the config wins
    const su = mapCheckpoint(mutated(reader('phi3-longrope'), { config: { rope_scaling: { type: 'su', short_factor: [1, 1, 1, 1], long_factor: [2, 2, 2, 2], attention_factor: 1.5 } } }));
    expect(rotary(su.spec.positional)).toMatchObject({ freqFactors: [1, 1, 1, 1], attentionFactor: 1.5 });
  });

  it('refuses other rope scalings, factor lists of the wrong length and a fused matrix of the wrong size', () => {
    const yarn = error(() => mapCheckpoint(mutated(reader('phi3'), { config: { rope_scaling: { type: 'yarn', factor: 4 } } })));
    expect(yarn.message).toContain('"type" is "yarn"; expected "longrope", "su" or "default"');
    const short = error(() => mapCheckpoint(mutated(reader('phi3-longrope'), { config: { rope_scaling: { type: 'longrope', short_factor: [1, 2], long_factor: [1, 1, 1, 1] } } })));
    expect(short.message).toContain('"short_factor" is "(a list of 2)"; expected a list of 4 positive numbers');
    const e = error(() => mapCheckpoint(mutated(reader('phi3'), { reshape: { tensor: 'model.layers.0.mlp.gate_up_proj.weight', shape: [64, 32] } })));
    expect(e.message).toContain('expected [128, 32]');
  });
});

describe('gemma', () => {
  it('gemma2: folds 1 + w into every norm weight in float32, sandwich norms, tied head', () => {
    const r = reader('gemma2');
    const m = loadFromReader(r);
    expect(m.spec).toMatchObject({ family: 'gemma', architecture: 'Gemma2ForCausalLM', postNorms: true, attnSoftcap: 2, finalSoftcap: 5, tiedEmbeddings: true });
    expect(m.spec.slidingWindow).toEqual({ size: 4, layers: [true, false, true] });
    expect(m.spec.embedScale).toBe(Math.fround(Math.sqrt(32)));
    expect(m.spec.attnScale).toBe(24 ** -0.5);
    const plusOne = (t: string): number[] => [...r.read(t)].map((v) => Math.fround(v + 1));
    expect([...m.weight(W.layer(2).postMlpNorm).data]).toEqual(plusOne('model.layers.2.post_feedforward_layernorm.weight'));
    expect([...m.weight(W.layer(2).norm2Weight).data]).toEqual(plusOne('model.layers.2.pre_feedforward_layernorm.weight'));
    expect([...m.weight(W.layer(0).postAttnNorm).data]).toEqual(plusOne('model.layers.0.post_attention_layernorm.weight'));
    expect([...m.weight(W.finalNormWeight).data]).toEqual(plusOne('model.norm.weight'));
    // the file's tensor is not changed (the fold makes a new array)
    expect(r.read('model.norm.weight')[0]).not.toBe(m.weight(W.finalNormWeight).data[0]);
    expect(m.weightNames()).not.toContain(W.lmHead);
  });

  it('gemma3: per-layer rotary, q/k norms, and the bf16-rounded embedding normalizer', () => {
    const m = loadModel(fixturePath('gemma3'));
    expect(m.spec).toMatchObject({ architecture: 'Gemma3ForCausalLM', qkNorm: true, embedScale: 6.3125 });
    expect(m.spec.attnSoftcap).toBeUndefined();
    expect(m.spec.finalSoftcap).toBeUndefined();
    expect(m.spec.slidingWindow).toEqual({ size: 3, layers: [true, true, false] });
    expect(m.spec.positional).toEqual({ kind: 'rotary', theta: 1e6, rotaryDim: 16, interleaved: false, freqFactors: new Array(8).fill(8) });
    expect(m.spec.localPositional).toEqual({ kind: 'rotary', theta: 10000, rotaryDim: 16, interleaved: false });
  });

  it('rounds sqrt(hidden_size) as torch casts it to the checkpoint dtype', () => {
    expect(roundToDtype(Math.sqrt(2560), 'BF16')).toBe(50.5);
    expect(roundToDtype(Math.sqrt(3072), 'BF16')).toBe(55.5);
    expect(roundToDtype(Math.sqrt(2560), 'F16')).toBe(50.59375);
    expect(roundToDtype(Math.sqrt(2304), 'BF16')).toBe(48);
    expect(roundToDtype(Math.sqrt(1152), 'F32')).toBe(Math.fround(Math.sqrt(1152)));
  });

  it('gemma3: the language model of a Gemma3ForConditionalGeneration checkpoint (language_model. prefix) is the same model', () => {
    const r = reader('gemma3');
    for (const prefix of ['language_model.model.', 'model.language_model.']) {
      const renamed = new Map<string, TensorInfo>();
      for (const [k, v] of r.tensors) renamed.set(k.replace(/^model\./, prefix), { ...v, name: k.replace(/^model\./, prefix) });
      renamed.set('vision_tower.vision_model.post_layernorm.weight', { ...(r.tensors.get('model.norm.weight') as TensorInfo), name: 'vision_tower.vision_model.post_layernorm.weight' });
      const textConfig: Record<string, unknown> = { ...(r.config ?? {}), model_type: 'gemma3_text' };
      delete textConfig.architectures;
      const mm: CheckpointReader = {
        ...r,
        config: { architectures: ['Gemma3ForConditionalGeneration'], model_type: 'gemma3', text_config: textConfig, vision_config: { model_type: 'siglip_vision_model' } },
        tensors: renamed,
        read: (name: string) => r.read(name.startsWith(prefix) ? `model.${name.slice(prefix.length)}` : name),
      };
      const m = loadFromReader(mm);
      expect(m.spec.architecture).toBe('Gemma3ForConditionalGeneration');
      expect({ ...m.spec, architecture: 'Gemma3ForCausalLM' }).toEqual(readGolden('gemma3').expected_spec);
      expect(goldenMismatches(m, readGolden('gemma3'))).toEqual([]);
    }
  });

  it('refuses a multimodal checkpoint whose text weights are elsewhere, and unknown rope scalings, by name', () => {
    const r = reader('gemma3');
    const mm = mutated(r, { config: { architectures: ['Gemma3ForConditionalGeneration'], model_type: 'gemma3', text_config: { ...(r.config ?? {}) } } });
    expect(error(() => mapCheckpoint(mm)).message).toContain('only the text model of a multimodal Gemma 3');
    const yarn = error(() => mapCheckpoint(mutated(r, { config: { rope_scaling: { rope_type: 'yarn', factor: 8 } } })));
    expect(yarn.message).toContain('"rope_type" is "yarn"; expected "linear" or "default"');
  });

  it('gemma2: soft-capping off with null, layer_types override the alternation', () => {
    const spec = mapCheckpoint(mutated(reader('gemma2'), { config: { attn_logit_softcapping: null, final_logit_softcapping: null, layer_types: ['full_attention', 'sliding_attention', 'full_attention'] } })).spec;
    expect(spec.attnSoftcap).toBeUndefined();
    expect(spec.finalSoftcap).toBeUndefined();
    expect(spec.slidingWindow).toEqual({ size: 4, layers: [false, true, false] });
  });
});

describe('the goldens pin what these families add', () => {
  const norms = (m: LoadedModel): Set<string> => {
    const out = new Set<string>([W.finalNormWeight]);
    for (let l = 0; l < m.spec.nLayers; l++) {
      const w = W.layer(l);
      for (const n of [w.norm1Weight, w.norm2Weight, w.postAttnNorm, w.postMlpNorm, w.qNorm, w.kNorm]) out.add(n);
    }
    return out;
  };
  const cases: { name: string; what: string; spec?: (s: ModelSpec) => ModelSpec; weights?: (m: LoadedModel) => LoadedModel }[] = [
    { name: 'qwen3', what: 'no q/k norm', spec: (s) => ({ ...s, qkNorm: undefined }) },
    { name: 'phi3', what: 'full rotary instead of partial_rotary_factor', spec: (s) => ({ ...s, positional: { ...rotary(s.positional), rotaryDim: s.headDim } }) },
    {
      name: 'phi3',
      what: 'gate and up swapped (up first in gate_up_proj)',
      weights: (m) => ({ ...m, weight: (n) => m.weight(n.endsWith('mlp.gate.weight') ? n.replace('gate', 'in') : n.endsWith('mlp.in.weight') ? n.replace('in.weight', 'gate.weight') : n) }),
    },
    { name: 'phi3-longrope', what: 'no LongRoPE attention factor', spec: (s) => ({ ...s, positional: { ...rotary(s.positional), attentionFactor: undefined } }) },
    { name: 'phi3-longrope', what: 'no LongRoPE short factors', spec: (s) => ({ ...s, positional: { ...rotary(s.positional), freqFactors: undefined } }) },
    { name: 'gemma2', what: 'no attention soft-capping', spec: (s) => ({ ...s, attnSoftcap: undefined }) },
    { name: 'gemma2', what: 'no final soft-capping', spec: (s) => ({ ...s, finalSoftcap: undefined }) },
    { name: 'gemma2', what: 'no sliding window', spec: (s) => ({ ...s, slidingWindow: undefined }) },
    { name: 'gemma2', what: 'window one wider', spec: (s) => ({ ...s, slidingWindow: s.slidingWindow && { ...s.slidingWindow, size: s.slidingWindow.size + 1 } }) },
    { name: 'gemma2', what: 'scale 1/sqrt(headDim) instead of query_pre_attn_scalar', spec: (s) => ({ ...s, attnScale: undefined }) },
    { name: 'gemma2', what: 'no post norms', spec: (s) => ({ ...s, postNorms: undefined }) },
    { name: 'gemma2', what: 'no embedding scale', spec: (s) => ({ ...s, embedScale: undefined }) },
    { name: 'gemma2', what: 'norm weights w instead of 1 + w', weights: (m) => ({ ...m, weight: (n) => (norms(m).has(n) ? { ...m.weight(n), data: m.weight(n).data.map((v) => v - 1) } : m.weight(n)) }) },
    { name: 'gemma3', what: 'sqrt(dModel) not rounded to bf16', spec: (s) => ({ ...s, embedScale: Math.fround(Math.sqrt(s.dModel)) }) },
    { name: 'gemma3', what: 'the global rotary on local layers too', spec: (s) => ({ ...s, localPositional: undefined }) },
    { name: 'gemma3', what: 'no linear rope scaling', spec: (s) => ({ ...s, positional: { ...rotary(s.positional), freqFactors: undefined } }) },
    { name: 'gemma3', what: 'no q/k norm', spec: (s) => ({ ...s, qkNorm: undefined }) },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.what} breaks the match`, () => {
      const g = readGolden(c.name);
      const m = loadModel(fixturePath(c.name));
      let changed: LoadedModel = c.spec ? { ...m, spec: c.spec(m.spec) } : m;
      if (c.weights) changed = c.weights(changed);
      expect(mismatch(goldenForward(m, g.input_ids).logits, g.logits, g.tolerance)).toBeNull();
      expect(mismatch(goldenForward(changed, g.input_ids).logits, g.logits, g.tolerance)).not.toBeNull();
    });
  }
});
