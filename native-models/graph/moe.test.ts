// What the builder puts in a mixture-of-experts graph (without running it): one Gemm per stacked
// projection (all experts at once) plus the router's, the router outputs and expert-edit inputs
// only when asked, and clear errors for options a dense model cannot have.
import { describe, expect, test } from 'vitest';
import { buildGraph } from './builder.js';
import { decodeModel } from './test-support/decode.js';
import { llamaShapedSpec, randomModel } from './test-support/random-model.js';
import { testSpecs } from './test-support/specs.js';

const moe = randomModel(llamaShapedSpec(64, 4 * 32 + 48, 2, 50, { moe: { experts: 4, expertFf: 32, topK: 2, scoring: 'softmax', normTopK: false, shared: { ff: 48, gated: true } } }));

describe('mixture-of-experts graph', () => {
  test('per layer: q, k, v, o, the experts\' gate, up and down as one Gemm each, the router and the shared gate', () => {
    const out = buildGraph(moe, { taps: [1] });
    expect(out.opCounts.get('Gemm')).toBe(2 * (4 + 3 + 2));
    expect(out.opCounts.get('TopK')).toBe(2);
    const m = decodeModel(out.model);
    expect(m.outputs).toEqual(['blocks.1.mlp.pre', 'blocks.1.mlp.post', 'blocks.1.resid_post']);
  });

  test('router outputs and expert edits only when asked', () => {
    const m = decodeModel(buildGraph(moe, { conditions: true, expertEdits: true, router: true, nll: true }).model);
    expect(m.inputs).toEqual(['input_ids', 'scale', 'shift', 'expert_unrouted', 'expert_scale', 'targets']);
    expect(m.outputs).toEqual(['nll', 'router_probs', 'router_experts', 'router_weights']);
    expect(decodeModel(buildGraph(moe, { router: true }).model).outputs).toEqual(['router_probs', 'router_experts', 'router_weights']);
    const stats = decodeModel(buildGraph(moe, { stats: true }).model).outputs;
    expect(stats).toContain('stats_unit_count');
  });

  test('refuses MoE options for a dense model, and expert edits without conditions', () => {
    const dense = randomModel(testSpecs.llama);
    expect(() => buildGraph(dense, { router: true })).toThrow(/router and expertEdits need a mixture-of-experts model; test is dense/);
    expect(() => buildGraph(moe, { expertEdits: true, nll: true })).toThrow(/expertEdits edit conditions; set conditions: true/);
    expect(decodeModel(buildGraph(dense, { stats: true }).model).outputs).not.toContain('stats_unit_count');
  });
});
