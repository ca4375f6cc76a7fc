// What the builder puts in the graph (without running it): only the heads asked for, no
// unembedding for a capture that needs no logits, only the layers a tap needs, and clear errors.

import { describe, expect, test } from 'vitest';
import { buildGraph, graphKey, type GraphOptions } from './builder.js';
import { decodeModel } from './test-support/decode.js';
import { randomModel } from './test-support/random-model.js';
import { testSpecs } from './test-support/specs.js';
import { W } from '../spec.js';

const gpt2 = randomModel(testSpecs.gpt2);
const llama = randomModel(testSpecs.llama);

function summary(options: GraphOptions, model = gpt2) {
  const out = buildGraph(model, options);
  const m = decodeModel(out.model);
  return { ...m, gemms: out.opCounts.get('Gemm') ?? 0, ops: out.opCounts, inits: new Set(m.initializers.map((t) => t.name)) };
}

describe('buildGraph', () => {
  // per block: q, k, v, o + mlp in, out (+ gate when gated)
  const perBlock = 6;

  test('a capture without logits has no unembedding', () => {
    const s = summary({ stats: true, topK: 3, hidden: true, conditions: true }, llama);
    expect(s.gemms).toBe(llama.spec.nLayers * (perBlock + 1));
    expect(s.inits.has(W.lmHead)).toBe(false);
    expect(s.inits.has(W.finalNormWeight)).toBe(false);
    expect(s.ops.has('LogSoftmax')).toBe(false);
    expect(s.inputs).toEqual(['input_ids', 'scale', 'shift', 'threshold', 'positions']);
    expect(s.outputs).toEqual(['stats_count', 'stats_sum', 'stats_sumsq', 'stats_min', 'stats_max', 'stats_fire_count', 'stats_active_count', 'topk_values', 'topk_indices', 'hidden_resid', 'hidden_post']);
  });

  test('logits heads add exactly one unembedding', () => {
    const L = gpt2.spec.nLayers;
    expect(summary({ logits: 'all', nll: true }).gemms).toBe(L * perBlock + 1);
    const last = summary({ logits: 'last' });
    expect(last.gemms).toBe(L * perBlock + 1);
    expect(last.outputs).toEqual(['last_logits']);
    expect(last.ops.has('LogSoftmax')).toBe(false);
    const kl = summary({ conditions: true, kl: true, nll: true, logits: 'last' });
    expect(kl.outputs).toEqual(['last_logits', 'nll', 'kl']);
    expect(kl.inputs).toEqual(['input_ids', 'scale', 'shift', 'targets']);
  });

  test('taps alone build only the layers up to the last tap', () => {
    const s = summary({ taps: [0] });
    expect(s.gemms).toBe(perBlock);
    expect([...s.inits].some((n) => n.startsWith('layers.1.'))).toBe(false);
    expect(s.outputs).toEqual(['blocks.0.mlp.pre', 'blocks.0.mlp.post', 'blocks.0.resid_post']);
  });

  test('the layer ops follow the spec', () => {
    expect(summary({ taps: [1] }, gpt2).ops.get('LayerNormalization')).toBe(4);
    const l = summary({ taps: [1] }, llama).ops;
    expect(l.has('LayerNormalization')).toBe(false);
    expect(l.get('Sigmoid')).toBe(2); // silu
    expect(l.has('Gelu')).toBe(false);
    // gelu_new (GPT-2) and exact gelu (NeoX) are one Gelu node per layer
    expect(summary({ taps: [1] }, gpt2).ops.get('Gelu')).toBe(2);
    expect(summary({ taps: [0] }, randomModel(testSpecs.neox)).ops.get('Gelu')).toBe(1);
  });

  test('rejects impossible options', () => {
    expect(() => buildGraph(gpt2, {})).toThrow(/no output selected/);
    expect(() => buildGraph(gpt2, { kl: true })).toThrow(/conditions/);
    expect(() => buildGraph(gpt2, { taps: [2] })).toThrow(/tap layer 2/);
    expect(() => buildGraph(gpt2, { topK: 1.5 })).toThrow(/topK/);
    expect(() => buildGraph(gpt2, { residTopK: -1 })).toThrow(/residTopK/);
    // the residual maxima alone are an output, and the token mask may select tokens for them
    expect(summary({ residTopK: 4, tokenMask: true }).outputs).toEqual(['resid_topk_abs', 'resid_topk_values', 'resid_topk_indices']);
  });

  test('graphKey is canonical', () => {
    expect(graphKey({ taps: [1, 0, 1], stats: false })).toBe(graphKey({ taps: [0, 1] }));
    expect(graphKey({ stats: true })).not.toBe(graphKey({}));
    expect(graphKey({ stats: true, residTopK: 4 })).not.toBe(graphKey({ stats: true }));
  });
});
