import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../formats/checkpoint.js';
import { loadFromReader } from '../load.js';
import { W } from '../spec.js';
import { mapCheckpoint } from './registry.js';
import { architectureError as error, fixturePath, mutated } from './testing.js';

const reader = (name = 'llama') => openCheckpoint(fixturePath(name));

describe('llama mapper', () => {
  it('llama: GQA shapes, HF rotary on halves, untied head, weights copied as they are', () => {
    const r = reader();
    const m = loadFromReader(r);
    expect(m.spec).toMatchObject({ family: 'llama', nHeads: 4, nKvHeads: 2, headDim: 12, dFf: 80, gated: true, activation: 'silu', tiedEmbeddings: false });
    expect(m.spec.positional).toEqual({ kind: 'rotary', theta: 1000, rotaryDim: 12, interleaved: false });
    const w = W.layer(1);
    expect(m.weight(w.q).shape).toEqual([48, 48]);
    expect(m.weight(w.k).shape).toEqual([24, 48]);
    expect(m.weight(w.v).shape).toEqual([24, 48]);
    expect([...m.weight(w.k).data]).toEqual([...r.read('model.layers.1.self_attn.k_proj.weight')]);
    expect([...m.weight(w.mlpGate).data]).toEqual([...r.read('model.layers.1.mlp.gate_proj.weight')]);
    expect([...m.weight(w.mlpIn).data]).toEqual([...r.read('model.layers.1.mlp.up_proj.weight')]);
    expect([...m.weight(w.mlpOut).data]).toEqual([...r.read('model.layers.1.mlp.down_proj.weight')]);
    expect([...m.weight(W.lmHead).data]).toEqual([...r.read('lm_head.weight')]);
    expect(m.weightNames()).not.toContain(w.qBias);
    expect(m.weightNames()).not.toContain(W.finalNormBias);
  });

  it('llama3-tied: Llama-3 rope scaling, tied head (no lm_head in the file)', () => {
    const m = loadFromReader(reader('llama3-tied'));
    expect(m.spec.positional).toEqual({
      kind: 'rotary',
      theta: 500000,
      rotaryDim: 16,
      interleaved: false,
      llama3Scaling: { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 },
    });
    expect(m.spec.tiedEmbeddings).toBe(true);
    expect(m.weightNames()).not.toContain(W.lmHead);
  });

  it('qwen2-bf16: q/k/v biases, BF16 upcast', () => {
    const r = reader('qwen2-bf16');
    const m = loadFromReader(r);
    expect(m.spec.architecture).toBe('Qwen2ForCausalLM');
    expect(m.spec.bias).toEqual({ qkv: true, attnOut: false, mlp: false });
    expect(m.spec.normEps).toBe(1e-6);
    expect([...m.weight(W.layer(0).kBias).data]).toEqual([...r.read('model.layers.0.self_attn.k_proj.bias')]);
    expect(m.weight(W.layer(0).kBias).shape).toEqual([16]);
  });

  it('takes Mistral and caps positions at the sliding window', () => {
    const r = mutated(reader(), { config: { architectures: ['MistralForCausalLM'], model_type: 'mistral', sliding_window: 16 } });
    const { spec } = mapCheckpoint(r);
    expect(spec.architecture).toBe('MistralForCausalLM');
    expect(spec.maxPositions).toBe(16);
    expect(mapCheckpoint(mutated(reader(), { config: { architectures: ['MistralForCausalLM'], sliding_window: null } })).spec.maxPositions).toBe(64);
    expect(mapCheckpoint(mutated(reader(), { config: { sliding_window: 16 } })).spec.maxPositions).toBe(64);
    expect(mapCheckpoint(mutated(reader('qwen2-bf16'), { config: { use_sliding_window: true, sliding_window: 16 } })).spec.maxPositions).toBe(16);
  });

  it('rope_scaling "default" is no scaling; other kinds are refused by name', () => {
    expect(mapCheckpoint(mutated(reader(), { config: { rope_scaling: { rope_type: 'default' } } })).spec.positional).not.toHaveProperty('llama3Scaling');
    const e = error(() => mapCheckpoint(mutated(reader(), { config: { rope_scaling: { rope_type: 'yarn', factor: 4 } } })));
    expect(e.message).toContain('config.json rope_scaling "rope_type" is "yarn"; expected "llama3" or "default"');
    const e2 = error(() => mapCheckpoint(mutated(reader('llama3-tied'), { config: { rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 4, high_freq_factor: 1, original_max_position_embeddings: 64 } } })));
    expect(e2.message).toContain('rope_scaling "high_freq_factor" is 1; expected a finite number > 4');
  });

  it('names bad config values, missing and misshapen tensors', () => {
    expect(error(() => mapCheckpoint(mutated(reader(), { config: { num_key_value_heads: 3 } }))).message).toContain('"num_key_value_heads" is 3; expected a divisor of num_attention_heads (4)');
    expect(error(() => mapCheckpoint(mutated(reader(), { config: { num_key_value_heads: 8 } }))).message).toContain('"num_key_value_heads" is 8; expected an integer from 1 to 4');
    expect(error(() => mapCheckpoint(mutated(reader(), { config: { hidden_size: 50 } }))).message).toContain('"num_attention_heads" is 4; expected a divisor of hidden_size (50), or a head_dim');
    expect(mapCheckpoint(mutated(reader(), { config: { head_dim: null } })).spec.headDim).toBe(12);
    expect(error(() => mapCheckpoint(mutated(reader(), { config: { rms_norm_eps: 0 } }))).message).toContain('"rms_norm_eps" is 0; expected a number > 0');
    expect(error(() => mapCheckpoint(mutated(reader(), { config: { mlp_bias: true } }))).field).toBe('mlp_bias');
    expect(error(() => mapCheckpoint(mutated(reader(), { dropTensor: 'lm_head.weight' }))).message).toContain('missing tensor "lm_head.weight" (expected shape [100, 48])');
    expect(error(() => mapCheckpoint(mutated(reader(), { reshape: { tensor: 'model.layers.1.self_attn.k_proj.weight', shape: [48, 48] } }))).message).toContain(
      'tensor "model.layers.1.self_attn.k_proj.weight" has shape [48, 48]; expected [24, 48]',
    );
    expect(error(() => mapCheckpoint(mutated(reader('qwen2-bf16'), { dropTensor: 'model.layers.1.self_attn.v_proj.bias' }))).field).toBe('model.layers.1.self_attn.v_proj.bias');
  });
});
