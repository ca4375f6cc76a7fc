import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../formats/checkpoint.js';
import { loadFromReader } from '../load.js';
import { W } from '../spec.js';
import { mapCheckpoint } from './registry.js';
import { architectureError as error, fixturePath, mutated } from './testing.js';

const reader = (name: string) => openCheckpoint(fixturePath(name));

describe('mixture-of-experts mapper', () => {
  it('mixtral: experts stacked on the neuron axis (expert j at j * expertFf), router as stored', () => {
    const r = reader('mixtral');
    const m = loadFromReader(r);
    expect(m.spec.moe).toEqual({ experts: 4, expertFf: 16, topK: 2, scoring: 'softmax', normTopK: true });
    expect(m.spec.dFf).toBe(64);
    const w = W.layer(1);
    const D = m.spec.dModel;
    const gate = m.weight(w.mlpGate);
    expect(gate.shape).toEqual([64, D]);
    // rows 32..47 are expert 2's w1 (gate); W_out columns 32..47 are its w2 (down)
    expect([...gate.data.subarray(32 * D, 48 * D)]).toEqual([...r.read('model.layers.1.block_sparse_moe.experts.2.w1.weight')]);
    expect([...m.weight(w.mlpIn).data.subarray(48 * D, 64 * D)]).toEqual([...r.read('model.layers.1.block_sparse_moe.experts.3.w3.weight')]);
    const out = m.weight(w.mlpOut);
    expect(out.shape).toEqual([D, 64]);
    const down2 = r.read('model.layers.1.block_sparse_moe.experts.2.w2.weight'); // [D, 16]
    for (let d = 0; d < D; d++) expect([...out.data.subarray(d * 64 + 32, d * 64 + 48)]).toEqual([...down2.subarray(d * 16, (d + 1) * 16)]);
    expect([...m.weight(w.router).data]).toEqual([...r.read('model.layers.1.block_sparse_moe.gate.weight')]);
    expect(m.quantized?.(w.mlpGate) ?? null).toBeNull();
  });

  it('qwen2-moe: the shared expert after the routed ones, with its gate; q/k/v biases; norm_topk_prob from the config', () => {
    const r = reader('qwen2-moe');
    const m = loadFromReader(r);
    expect(m.spec.moe).toEqual({ experts: 4, expertFf: 12, topK: 2, scoring: 'softmax', normTopK: false, shared: { ff: 24, gated: true } });
    expect(m.spec.dFf).toBe(4 * 12 + 24);
    expect(m.spec.bias.qkv).toBe(true);
    const D = m.spec.dModel;
    expect([...m.weight(W.layer(0).mlpIn).data.subarray(48 * D)]).toEqual([...r.read('model.layers.0.mlp.shared_expert.up_proj.weight')]);
    expect(m.weight(W.layer(0).sharedGate).shape).toEqual([1, D]);
    expect(loadFromReader(mutated(r, { config: { norm_topk_prob: true } })).spec.moe?.normTopK).toBe(true);
  });

  it('qwen3-moe: per-head q/k norm; olmoe: q/k norm over the whole projection', () => {
    const q3 = loadFromReader(reader('qwen3-moe'));
    expect(q3.spec.qkNorm).toBe(true);
    expect(q3.spec.headDim).toBe(16);
    expect(q3.weight(W.layer(0).qNorm).shape).toEqual([16]);
    const ol = loadFromReader(reader('olmoe'));
    expect(ol.spec.qkNorm).toBeUndefined();
    expect(ol.spec.qkNormWhole).toBe(true);
    expect(ol.weight(W.layer(0).qNorm).shape).toEqual([32]);
    expect(ol.weight(W.layer(0).kNorm).shape).toEqual([16]);
    expect(ol.spec.tiedEmbeddings).toBe(true);
  });

  it('refuses mixed dense and MoE layers by name, with the reason', () => {
    const r = reader('qwen2-moe');
    const e = error(() => mapCheckpoint(mutated(r, { config: { mlp_only_layers: [1] } })));
    expect(e.field).toBe('mlp_only_layers');
    expect(e.message).toMatch(/mixed dense and mixture-of-experts layers are not supported \(layers 1 are dense/);
    expect(error(() => mapCheckpoint(mutated(reader('qwen3-moe'), { config: { decoder_sparse_step: 2 } }))).message).toMatch(/layers 0 are dense.*decoder_sparse_step 2/);
  });

  it('refuses what it cannot run: rope scaling, clip_qkv, attention biases, a missing or misshapen expert', () => {
    expect(error(() => mapCheckpoint(mutated(reader('mixtral'), { config: { rope_scaling: { rope_type: 'yarn', factor: 4 } } }))).field).toBe('rope_scaling');
    expect(error(() => mapCheckpoint(mutated(reader('olmoe'), { config: { clip_qkv: 8 } }))).field).toBe('clip_qkv');
    expect(error(() => mapCheckpoint(mutated(reader('qwen3-moe'), { config: { attention_bias: true } }))).field).toBe('attention_bias');
    const gone = 'model.layers.1.mlp.experts.3.down_proj.weight';
    expect(error(() => mapCheckpoint(mutated(reader('olmoe'), { dropTensor: gone }))).message).toMatch(/missing tensor "model\.layers\.1\.mlp\.experts\.3\.down_proj\.weight" \(expected shape \[32, 8\]\)/);
    expect(error(() => mapCheckpoint(mutated(reader('mixtral'), { config: { num_local_experts: 5 } }))).message).toMatch(/experts\.4\.w1\.weight/);
    expect(error(() => mapCheckpoint(mutated(reader('mixtral'), { config: { num_experts_per_tok: 5 } }))).field).toBe('num_experts_per_tok');
  });

  it('DeepSeek-V2: refused by name (multi-head latent attention), the message states its routing', () => {
    const config = {
      architectures: ['DeepseekV2ForCausalLM'],
      model_type: 'deepseek_v2',
      n_routed_experts: 64,
      num_experts_per_tok: 6,
      n_shared_experts: 2,
      moe_intermediate_size: 1408,
      first_k_dense_replace: 1,
      topk_method: 'greedy',
      scoring_func: 'softmax',
      norm_topk_prob: false,
      kv_lora_rank: 512,
      q_lora_rank: null,
    };
    const e = error(() => mapCheckpoint(mutated(reader('mixtral'), { config })));
    expect(e.message).toContain('DeepseekV2ForCausalLM: multi-head latent attention is not supported (kv_lora_rank 512');
    expect(e.message).toContain('64 routed experts of 1408 units, top-6 by softmax');
    expect(e.message).toContain('2 shared experts, the first 1 layer dense');
    // by model_type too
    expect(error(() => mapCheckpoint(mutated(reader('mixtral'), { config: { ...config, architectures: undefined } }))).message).toMatch(/multi-head latent attention/);
  });
});
