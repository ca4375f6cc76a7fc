import { describe, expect, it } from 'vitest';
import type { CompareResult, Result } from '../api/contract';
import { explainDenseMoe, explainWidthDepth } from './width-depth';

const iv = (value: number, low: number, high: number) => ({ value, low, high });

function model(name: string, layers: number, width: number, loss: [number, number, number], whole: Array<[number, number, number]>): CompareResult['models'][number] {
  return {
    dataset: { id: layers, name, tokens: 1000 },
    model: { id: layers, name, architecture: 'GPT2LMHeadModel', activation: 'relu', layers, d_model: 128, heads: 4, ffn_width: width, gated: false, moe: false },
    params: { total: 1_000_000, embedding: 500_000, attention: 100_000, ffn: 390_000, other: 10_000, ffn_share: 0.39, ffn_per_layer: 390_000 / layers, active: 1_000_000, ffn_active: 390_000 },
    flops_per_token: { context: 128, ffn: 780_000, attention_projections: 100_000, attention_scores: 10_000, unembedding: 1_000_000, total: 1_890_000 },
    heldout: { loss: iv(...loss), ppl: iv(Math.exp(loss[0]), Math.exp(loss[1]), Math.exp(loss[2])), predictions: 20_000, documents: 10, ablation: 1 },
    tokens_per_s: 1000,
    sensitivity: { ablation: 1, fraction: 0.25, seed: 0 },
    layers: Array.from({ length: layers }, (_, l) => ({
      layer: l,
      rel_depth: layers === 1 ? 0 : l / (layers - 1),
      ffn_width: width,
      ffn_params: 0,
      tokens: 1000,
      fire_rate: { mean: 0.1, q05: 0, q25: 0.05, q50: 0.1, q75: 0.15, q95: 0.3 },
      active_fraction: { mean: 0.1 + 0.01 * l, q50: 0.1, q90: 0.2 },
      verdicts: { dead: 0.05, constant: 0, never_positive: 0, rare: 0.01, massive: 0 },
      massive_dims: 0,
      twonn: 5 + l,
      pca90: 20,
      intrinsic_points: 500,
      sensitivity: { whole: iv(...(whole[l] as [number, number, number])), random: { ...iv(0.01, 0.005, 0.015), neurons: Math.round(width / 4), fraction: 0.25, seed: 0 } },
    })),
    notes: [],
  };
}

function result(wideLoss: [number, number, number], deepLoss: [number, number, number]): CompareResult {
  return {
    text: { corpus: { id: 1, name: 'brown' }, documents: 448, cut_after_tokens: 20_000, fire: 'a > 0' },
    models: [
      model('wide', 2, 1290, wideLoss, [
        [3.4, 3.3, 3.5],
        [0.2, 0.15, 0.25],
      ]),
      model('deep', 3, 128, deepLoss, [
        [1.5, 1.4, 1.6],
        [0.001, -0.002, 0.004],
        [0.05, 0.04, 0.06],
      ]),
    ],
    refused: [],
    aligned: [],
    definitions: {},
  };
}

describe('explainWidthDepth', () => {
  it('states the shapes and the measured sensitivity, naming the layers whose change includes zero', () => {
    const text = explainWidthDepth(result([5.0, 4.9, 5.1], [5.05, 4.95, 5.15])).join(' ');
    expect(text).toMatch(/wide has 2 layers with 1,290 FFN neurons each \(2,580 in all\)/);
    expect(text).toMatch(/deep has 3 layers with 128 FFN neurons each/);
    expect(text).toMatch(/the first 20,000 tokens/);
    expect(text).toMatch(/a random 25\.0% of them/);
    expect(text).toMatch(/Zeroing a whole FFN layer of wide raises its held-out loss by 0\.200 .*\(layer 1, the least\) to 3\.400 .*\(layer 0, the most\); every layer's change is above zero/);
    expect(text).toMatch(/for layer 1 the change cannot be told from zero/);
    expect(text).toMatch(/TwoNN intrinsic dimension of 5\.0, 6\.0, 7\.0/);
  });

  it('says which model predicts better only when the loss intervals do not overlap', () => {
    expect(explainWidthDepth(result([5.0, 4.9, 5.1], [5.05, 4.95, 5.15])).join(' ')).toMatch(/The intervals overlap, so on this much text the two are not told apart/);
    expect(explainWidthDepth(result([5.0, 4.95, 5.05], [5.3, 5.2, 5.4])).join(' ')).toMatch(/wide predicts the held-out text better: the intervals do not overlap/);
    expect(explainWidthDepth(result([5.3, 5.2, 5.4], [5.0, 4.95, 5.05])).join(' ')).toMatch(/deep predicts the held-out text better/);
  });
});

/** Router statistics of a 2-layer, 4-expert, top-2 mixture over 10,000 tokens, from per-expert loads (top-k counts). */
function experts(loads: number[][]): Result<'experts.get'> {
  const tokens = 10_000;
  return {
    experts: 4,
    topK: 2,
    expertFf: 64,
    shared: null,
    layers: loads.map((l, layer) => {
      const mean = l.reduce((a, b) => a + b, 0) / l.length;
      const cv = Math.sqrt(l.reduce((a, v) => a + (v - mean) ** 2, 0) / l.length) / mean;
      return {
        layer,
        tokens,
        entropy_mean: 1.1 + layer / 10,
        entropy_max: Math.log(4),
        load_cv: cv,
        dead_upper95: 3 / tokens,
        experts: l.map((load, e) => ({ expert: e, load, topk_rate: load / tokens, top1_rate: null, mean_weight: null, mean_prob: null, verdict: load === 0 ? ('dead' as const) : load / tokens < 0.001 ? ('rare' as const) : null })),
        pairs: [],
      };
    }),
  };
}

function denseMoe(): CompareResult {
  const r = result([5.0, 4.95, 5.05], [4.8, 4.75, 4.85]);
  const [dense, moe] = r.models as [CompareResult['models'][number], CompareResult['models'][number]];
  const moeModel = { ...moe, model: { ...moe.model, name: 'moe', layers: 2, ffn_width: 256, moe: true }, params: { ...moe.params, total: 2_000_000, active: 1_000_000 } };
  moeModel.layers = moeModel.layers.slice(0, 2);
  return { ...r, models: [{ ...dense, model: { ...dense.model, name: 'dense', ffn_width: 128 } }, moeModel] };
}

describe('explainDenseMoe', () => {
  it('states both shapes with the active share, the loss verdict, and the router: loads, load CV, entropy, dead and rare experts by name', () => {
    const text = explainDenseMoe(denseMoe(), experts([
      [5000, 5000, 5000, 5000],
      [12_000, 7995, 0, 5],
    ])).join(' ');
    expect(text).toMatch(/dense has 2 layers with one FFN of 128 neurons each, 1,000,000 parameters, all of them active for every token/);
    expect(text).toMatch(/moe has 2 layers whose FFN is 4 experts of 64 neurons \(256 in all\), of which a router picks 2 per token \(128 neurons, 50\.0% of the layer's\); it has 2,000,000 parameters, 1,000,000 \(50\.0%\) of them active per token/);
    expect(text).toMatch(/moe predicts the held-out text better: the intervals do not overlap/);
    expect(text).toMatch(/1\.0% fire on fewer than one in a thousand of the tokens routed to their expert/);
    expect(text).toMatch(/sends each expert between 0\.0% and 120\.0% of the tokens \(an even split would give each 50\.0%\)/);
    expect(text).toMatch(/coefficient of variation is 0\.000, 1\.039 by layer/);
    expect(text).toMatch(/mean entropy per token 1\.10, 1\.20 nats of at most 1\.39/);
    expect(text).toMatch(/Dead \(never routed, with 95% confidence\): expert 2 of layer 1\./);
    expect(text).toMatch(/Rare \(routed on fewer than one token in a thousand\): expert 3 of layer 1\./);
  });

  it('says when no expert is dead or rare, and leaves the router out while its statistics are missing', () => {
    const r = denseMoe();
    expect(explainDenseMoe(r, experts([[5000, 5000, 5000, 5000]])).join(' ')).toMatch(/No expert is dead \(never routed, with 95% confidence\) or rare/);
    const without = explainDenseMoe(r, null).join(' ');
    expect(without).not.toMatch(/router of moe sends/);
    expect(without).toMatch(/moe has 2 layers with one FFN of 256 neurons/);
  });
});
