// The comparison's pure parts: the same-text rule, layer alignment across depths, quantiles,
// per-token active fractions from exact counts, parameter and FLOP accounting on a shape worked by
// hand, verdict fractions from the detectors, and layer-sensitivity conditions read back.
import { describe, expect, it } from 'vitest';
import {
  activeFraction,
  alignLayers,
  effectiveCut,
  ffnParamsPerLayer,
  flopsPerToken,
  layerAtDepth,
  ffnActiveParamsPerLayer,
  paramAccounting,
  partitionByText,
  quantiles,
  relativeDepth,
  textMismatch,
  verdictFractions,
  type CaptureText,
  type ShapeOf,
} from './compare.js';
import { detectAll } from './detectors.js';
import { randomLayerNeurons, sensitivityByLayer, sensitivityConditions, isSensitivityRun } from './layer-sensitivity.js';
import { emptyStats, summarize } from './neuron-stats.js';

const text = (over: Partial<CaptureText> = {}): CaptureText => ({
  label: 'capture 1 "a"',
  corpusId: 1,
  corpusName: 'brown',
  documents: { ids: [10, 11, 12], names: ['ca01', 'ca02', 'ca03'] },
  cutAfterTokens: null,
  tokenizer: 'tok-A',
  fire: { mode: 'positive', threshold: 0 },
  ...over,
});

describe('the same-text rule', () => {
  it('accepts the same documents read whole, even with different tokenizers', () => {
    expect(textMismatch(text(), text({ label: 'capture 2 "b"', tokenizer: 'tok-B' }))).toBeNull();
  });

  it('refuses another corpus, other documents, another order, another cut, and the same budget of another tokenizer', () => {
    expect(textMismatch(text(), text({ corpusId: 2, corpusName: 'wiki' }))).toMatch(/read corpus "wiki" \(id 2\), not "brown"/);
    expect(textMismatch(text(), text({ documents: { ids: [10, 11, 13], names: ['ca01', 'ca02', 'ca04'] } }))).toMatch(/"ca03" is only in capture 1/);
    expect(textMismatch(text(), text({ documents: { ids: [11, 10, 12], names: ['ca02', 'ca01', 'ca03'] } }))).toMatch(/another order/);
    expect(textMismatch(text(), text({ cutAfterTokens: 5000 }))).toMatch(/stops after 5,000 tokens but capture 1 "a" reads every selected document whole/);
    expect(textMismatch(text({ cutAfterTokens: 5000 }), text({ cutAfterTokens: 5000, tokenizer: 'tok-B' }))).toMatch(/different tokenizers/);
    expect(textMismatch(text({ cutAfterTokens: 5000 }), text({ cutAfterTokens: 5000 }))).toBeNull();
    expect(textMismatch(text(), text({ fire: { mode: 'magnitude', threshold: 0 } }))).toMatch(/fire rates under different rules/);
    expect(textMismatch(text(), text({ tokensPerDocument: 256 }))).toMatch(/reads the first 256 tokens of each document but capture 1 "a" reads each document whole/);
    expect(textMismatch(text({ tokensPerDocument: 256 }), text({ tokensPerDocument: 256, tokenizer: 'tok-B' }))).toMatch(/both read the first 256 tokens of each document, but of different tokenizers/);
    expect(textMismatch(text({ tokensPerDocument: 256 }), text({ tokensPerDocument: 256 }))).toBeNull();
    expect(textMismatch(text(), text({ documents: null }))).toMatch(/merge of several captures/);
  });

  it('a budget counts as a cut only when the capture reached it', () => {
    expect(effectiveCut(undefined, 100)).toBeNull();
    expect(effectiveCut(20_000, 19_000)).toBeNull();
    expect(effectiveCut(20_000, 20_000)).toBe(20_000);
  });

  it('keeps the captures that share the first one\'s text and refuses the others with their reason', () => {
    const a = text();
    const b = text({ label: 'capture 2 "b"' });
    const c = text({ label: 'capture 3 "c"', corpusId: 9, corpusName: 'other' });
    const { kept, refused } = partitionByText([a, b, c]);
    expect(kept).toEqual([a, b]);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.capture).toBe(c);
    expect(refused[0]!.reason).toMatch(/capture 3 "c" read corpus "other"/);
  });
});

describe('layers aligned by relative depth', () => {
  it('puts layer l of L at l / (L - 1)', () => {
    expect([0, 1].map((l) => relativeDepth(l, 2))).toEqual([0, 1]);
    expect(relativeDepth(7, 8)).toBe(1);
    expect(relativeDepth(0, 1)).toBe(0);
    expect(() => relativeDepth(2, 2)).toThrow(/layer 2 is not in 0..1/);
  });

  it('aligns a 2-layer and an 8-layer model: first with first, last with last, the middle to the nearest', () => {
    const rows = alignLayers([2, 8]);
    // the union of depths: 0, 1/7, ..., 1 (8 points; the 2-layer model adds none of its own)
    expect(rows.map((r) => r.rel_depth)).toEqual(Array.from({ length: 8 }, (_, l) => l / 7));
    expect(rows[0]!.layers).toEqual([{ exact: 0, nearest: 0 }, { exact: 0, nearest: 0 }]);
    expect(rows[7]!.layers).toEqual([{ exact: 1, nearest: 1 }, { exact: 7, nearest: 7 }]);
    // depth 3/7 < 0.5: nearest layer 0 of the shallow model; 4/7 > 0.5: layer 1
    expect(rows[3]!.layers[0]).toEqual({ exact: null, nearest: 0 });
    expect(rows[4]!.layers[0]).toEqual({ exact: null, nearest: 1 });
    expect(layerAtDepth(0.5, 3)).toBe(1);
    expect(layerAtDepth(0.5, 2)).toBe(0);
  });

  it('aligns a 4-layer with a 7-layer model where depths coincide (0, 0.5 is not one of 4 layers, 1)', () => {
    const rows = alignLayers([4, 7]);
    const at = (d: number) => rows.find((r) => Math.abs(r.rel_depth - d) < 1e-12)!;
    expect(at(1 / 3).layers).toEqual([{ exact: 1, nearest: 1 }, { exact: 2, nearest: 2 }]);
    expect(at(0.5).layers).toEqual([{ exact: null, nearest: 1 }, { exact: 3, nearest: 3 }]);
  });
});

describe('distributions', () => {
  it('quantiles interpolate between order statistics and skip non-finite values', () => {
    const q = quantiles([4, NaN, 1, 3, 2, 0])!;
    expect(q.mean).toBe(2);
    expect(q.q50).toBe(2);
    expect(q.q25).toBe(1);
    expect(q.q05).toBeCloseTo(0.2, 12);
    expect(q.q95).toBeCloseTo(3.8, 12);
    expect(quantiles([NaN])).toBeNull();
  });

  it('the active fraction per token from exact counts: mean, median and 90th percentile', () => {
    // 4 neurons; 10 tokens: 5 with 0 active, 3 with 1, 1 with 2, 1 with 4
    const f = activeFraction([5, 3, 1, 0, 1], 4)!;
    expect(f.mean).toBeCloseTo((0 * 5 + 1 * 3 + 2 + 4) / 10 / 4, 12);
    expect(f.q50).toBe(0);
    expect(f.q90).toBe(0.5);
    expect(activeFraction([0, 0, 0], 2)).toBeNull();
    expect(() => activeFraction([1, 2], 2)).toThrow(/3 bins, got 2/);
  });
});

// GPT-2-like: 2 layers, d 8, 2 heads of 4, FFN 32, vocab 50, 16 positions, biases everywhere, tied
const gpt: ShapeOf = {
  vocabSize: 50,
  dModel: 8,
  nLayers: 2,
  nHeads: 2,
  nKvHeads: 2,
  headDim: 4,
  dFf: 32,
  maxPositions: 16,
  gated: false,
  positional: { kind: 'learned', offset: 0 },
  bias: { qkv: true, attnOut: true, mlp: true },
  tiedEmbeddings: true,
  // embeddings 50*8 + 16*8 = 528; per layer attention 4*64 + 24 + 8 = 288, FFN 2*256 + 32 + 8 = 552,
  // two layernorms 32; final norm 16: 528 + 2*(288 + 552 + 32) + 16 = 2288
  params: 2288,
};

describe('parameters and FLOPs', () => {
  it('accounts for a GPT-2 shape by hand', () => {
    expect(ffnParamsPerLayer(gpt)).toBe(552);
    const p = paramAccounting(gpt);
    expect(p).toMatchObject({ total: 2288, embedding: 528, attention: 576, ffn: 1104, other: 80, ffn_per_layer: 552, active: 2288, ffn_active: 1104 });
    expect(p.ffn_share).toBeCloseTo(1104 / 2288, 12);
  });

  it('a gated FFN has three matrices; grouped-query attention fewer k/v weights', () => {
    const llama: ShapeOf = { ...gpt, gated: true, nKvHeads: 1, bias: { qkv: false, attnOut: false, mlp: false }, positional: { kind: 'rotary' }, tiedEmbeddings: false, params: 0 };
    expect(ffnParamsPerLayer(llama)).toBe(3 * 32 * 8);
    const p = paramAccounting({ ...llama, params: 10_000 });
    expect(p.embedding).toBe(2 * 50 * 8);
    expect(p.attention).toBe(2 * (8 * (8 + 2 * 4) + 8 * 8));
  });

  it('counts forward FLOPs: 2 per weight a token meets, plus attention over the mean causal context', () => {
    const f = flopsPerToken(gpt, 15);
    expect(f.ffn).toBe(2 * 2 * 2 * 32 * 8);
    expect(f.attention_projections).toBe(2 * 2 * (8 * 24 + 8 * 8));
    expect(f.attention_scores).toBe(2 * 2 * 2 * 8 * 8);
    expect(f.unembedding).toBe(2 * 50 * 8);
    expect(f.total).toBe(f.ffn + f.attention_projections + f.attention_scores + f.unembedding);
  });
});

describe('parameters and FLOPs of a mixture of experts', () => {
  it('a shape by hand: 4 experts of 16, top-2, a gated shared expert of 8, d 8, 2 layers', () => {
    const moe: ShapeOf = { ...gpt, gated: true, bias: { qkv: false, attnOut: false, mlp: false }, dFf: 4 * 16 + 8, params: 100_000, moe: { experts: 4, expertFf: 16, topK: 2, shared: { ff: 8, gated: true } } };
    // per layer: 3 x 8 x 72 = 1728 expert and shared weights, router 4 x 8 = 32, shared gate 8
    expect(ffnParamsPerLayer(moe)).toBe(1728 + 32 + 8);
    // a token: 2 experts of 16 and the shared 8 units: 3 x 8 x 40 = 960, + router and shared gate
    expect(ffnActiveParamsPerLayer(moe)).toBe(960 + 32 + 8);
    const p = paramAccounting(moe);
    expect(p).toMatchObject({ ffn: 2 * 1768, ffn_active: 2 * 1000, active: 100_000 - 2 * 1768 + 2 * 1000 });
    expect(flopsPerToken(moe, 15).ffn).toBe(2 * 2 * 1000);
  });
});

describe('verdict fractions reuse the detectors', () => {
  it('a silent neuron and a rarely firing one show as fractions of their layer', () => {
    // 1 layer of 4 neurons over 2000 tokens: neuron 0 silent, neuron 1 fires once, 2 and 3 ordinary
    const acc = emptyStats(1, 4, { fireThreshold: 0, fireMode: 'positive' });
    acc.count[0] = 2000;
    const set = (f: number, sum: number, sumsq: number, min: number, max: number, fire: number) => {
      acc.sum[f] = sum;
      acc.sumsq[f] = sumsq;
      acc.min[f] = min;
      acc.max[f] = max;
      acc.fire[f] = fire;
      if (acc.sumAbs) acc.sumAbs[f] = Math.abs(sum);
    };
    set(0, 0, 0, 0, 0, 0);
    set(1, 0.5, 0.25, 0, 0.5, 1);
    set(2, 800, 1200, 0, 2, 600);
    set(3, 900, 1300, 0, 2, 700);
    const verdicts = detectAll(summarize(acc)).verdicts;
    const [layer] = verdictFractions(verdicts, 1, 4);
    expect(layer!.dead).toBe(0.25);
    expect(layer!.rare).toBe(0.25);
    expect(layer!.constant).toBe(0);
  });
});

describe('layer-sensitivity conditions', () => {
  it('two conditions per layer: every neuron, and round(fraction x F) seeded random ones; read back per layer', () => {
    const c = sensitivityConditions({ layers: 3, neurons: 10 }, { fraction: 0.3, seed: 5 });
    expect(c.map((x) => x.label)).toEqual(['layer 0: whole FFN', 'layer 0: random 30%', 'layer 1: whole FFN', 'layer 1: random 30%', 'layer 2: whole FFN', 'layer 2: random 30%']);
    expect(c[0]!.neurons).toHaveLength(10);
    expect(c[1]!.neurons).toHaveLength(3);
    expect(c[1]!.neurons.every((n) => n.layer === 0)).toBe(true);
    // seeded: the same seed the same neurons; another layer or seed another draw
    expect(randomLayerNeurons(1, 10, 0.3, 5)).toEqual(c[3]!.neurons.map((n) => n.neuron));
    expect(randomLayerNeurons(1, 100, 0.3, 5)).not.toEqual(randomLayerNeurons(1, 100, 0.3, 6));
    expect(randomLayerNeurons(1, 100, 0.3, 5)).not.toEqual(randomLayerNeurons(2, 100, 0.3, 5));
    expect(isSensitivityRun(c)).toBe(true);
    expect(isSensitivityRun([...c, { origin: { kind: 'control' } }])).toBe(false);
    const results = c.map((_, i) => ({ metrics: { delta_loss: { value: i, low: i - 0.5, high: i + 0.5 } } }));
    const by = sensitivityByLayer(3, c, results);
    expect(by[2]).toEqual({ whole: { value: 4, low: 3.5, high: 4.5 }, random: { value: 5, low: 4.5, high: 5.5, neurons: 3, fraction: 0.3, seed: 5 } });
    expect(sensitivityByLayer(4, c, results)[3]).toBeNull();
    expect(() => sensitivityConditions({ layers: 2, neurons: 4 }, { layers: [2] })).toThrow(/layer 2 is not in 0..1/);
  });
});
