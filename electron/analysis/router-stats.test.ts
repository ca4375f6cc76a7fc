import { describe, expect, it } from 'vitest';
import { addRouterBatch, emptyRouterStats, mergeRouterStats, routerStatsFromJson, routerStatsToJson, summarizeRouter } from './router-stats.js';

// one layer, 4 experts, top-2, 5 tokens (the last not counted); expert 3 is never chosen
const probs = [
  [0.5, 0.3, 0.1, 0.1],
  [0.4, 0.4, 0.2, 0.0],
  [0.25, 0.25, 0.25, 0.25],
  [0.1, 0.6, 0.3, 0.0],
  [0.0, 0.0, 0.0, 1.0],
];
const chosen = [
  [0, 1],
  [1, 0],
  [2, 0],
  [1, 2],
  [3, 0],
];
const weights = [
  [0.625, 0.375],
  [0.5, 0.5],
  [0.5, 0.5],
  [2 / 3, 1 / 3],
  [1, 0],
];
const batch = () => ({
  rows: 5,
  probs: Float32Array.from(probs.flat()),
  experts: BigInt64Array.from(chosen.flat().map(BigInt)),
  weights: Float32Array.from(weights.flat()),
  counted: [1, 1, 1, 1, 0],
});
const entropy = (p: number[]) => -p.reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0);

describe('router statistics', () => {
  it('load, top-1, mean weight and probability, entropy, pairs, CV and dead experts over the counted tokens', () => {
    const s = addRouterBatch(emptyRouterStats(1, 4, 2), batch());
    const [l] = summarizeRouter(s);
    expect(l!.tokens).toBe(4);
    expect(l!.experts.map((e) => e.load)).toEqual([3, 3, 2, 0]);
    expect(l!.experts.map((e) => e.top1_rate)).toEqual([0.25, 0.5, 0.25, 0]);
    expect(l!.experts[0]!.mean_weight).toBeCloseTo((0.625 + 0.5 + 0.5) / 3, 6);
    expect(l!.experts[2]!.mean_prob).toBeCloseTo((0.1 + 0.2 + 0.25 + 0.3) / 4, 6);
    expect(l!.entropy_mean).toBeCloseTo(probs.slice(0, 4).reduce((a, p) => a + entropy(p), 0) / 4, 6);
    expect(l!.entropy_max).toBeCloseTo(Math.log(4), 12);
    const mean = 2;
    expect(l!.load_cv).toBeCloseTo(Math.sqrt(((3 - mean) ** 2 * 2 + (2 - mean) ** 2 + (0 - mean) ** 2) / 4) / mean, 12);
    expect(l!.experts.map((e) => e.verdict)).toEqual([null, null, null, 'dead']);
    expect(l!.dead_upper95).toBe(3 / 4);
    expect(l!.pairs.map((p) => [p.a, p.b, p.count])).toEqual([
      [0, 1, 2],
      [0, 2, 1],
      [1, 2, 1],
    ]);
    expect(l!.pairs[0]!.lift).toBeCloseTo(2 / 4 / ((3 / 4) * (3 / 4)), 12);
  });

  it('rare: routed, but on fewer than the bound of the tokens', () => {
    const [l] = summarizeRouter(addRouterBatch(emptyRouterStats(1, 4, 2), batch()), { rareBound: 0.6 });
    expect(l!.experts.map((e) => e.verdict)).toEqual([null, null, 'rare', 'dead']);
  });

  it('merges by addition and survives storage', () => {
    const a = addRouterBatch(emptyRouterStats(1, 4, 2), batch());
    const two = addRouterBatch(addRouterBatch(emptyRouterStats(1, 4, 2), batch()), batch());
    expect(mergeRouterStats(a, a)).toEqual(two);
    expect(routerStatsFromJson(routerStatsToJson(two))).toEqual(two);
  });

  it('refuses a wrong shape or expert index, leaving the totals as they were', () => {
    const s = emptyRouterStats(1, 4, 2);
    expect(() => addRouterBatch(s, { ...batch(), rows: 4 })).toThrow(/router_probs has 20 values, expected 1 x 4 x 4/);
    expect(() => addRouterBatch(s, { ...batch(), experts: BigInt64Array.from([0n, 1n, 1n, 0n, 2n, 0n, 1n, 9n, 3n, 0n]) })).toThrow(/expert index 9 is not in 0..3/);
    expect(Array.from(s.tokens)).toEqual([0]);
  });
});
