import { describe, expect, it } from 'vitest';
import { prng } from '../../common/prng.js';
import { conditionMetrics, type DocTotals } from './ablation-metrics.js';

function docs(n: number, seed: number, lossShift = 0): DocTotals[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => {
    const tokens = 50 + Math.floor(r() * 200);
    return { tokens, nll: tokens * (3 + r() + lossShift), kl: tokens * lossShift * 0.5, agree: Math.round(tokens * (1 - lossShift * 0.1)) };
  });
}

describe('ablation metrics', () => {
  it('the intact model against itself: delta 0, KL 0, agreement 1, with zero-width intervals', () => {
    const base = docs(30, 1);
    const m = conditionMetrics(base, base.map((d) => ({ ...d, agree: d.tokens })), 200, 3);
    expect(m.delta_loss).toEqual({ value: 0, low: 0, high: 0 });
    expect(m.kl).toEqual({ value: 0, low: 0, high: 0 });
    expect(m.top1_agreement.value).toBe(1);
    expect(m.ppl.value).toBeCloseTo(Math.exp(m.loss.value), 12);
  });

  it('point values are token-weighted ratios, and the interval holds the point and shrinks with more documents', () => {
    const base = docs(40, 2);
    const hurt = base.map((d) => ({ ...d, nll: d.nll + d.tokens * 0.2, kl: d.tokens * 0.1, agree: Math.round(d.tokens * 0.9) }));
    const m = conditionMetrics(base, hurt, 500, 4);
    const tokens = base.reduce((s, d) => s + d.tokens, 0);
    expect(m.delta_loss.value).toBeCloseTo(0.2, 10);
    expect(m.kl.value).toBeCloseTo(0.1, 10);
    expect(m.loss.value).toBeCloseTo(hurt.reduce((s, d) => s + d.nll, 0) / tokens, 12);
    expect(m.loss.low).toBeLessThan(m.loss.value);
    expect(m.loss.high).toBeGreaterThan(m.loss.value);
    const wide = conditionMetrics(base.slice(0, 5), hurt.slice(0, 5), 500, 4);
    const big = docs(400, 9);
    const narrow = conditionMetrics(big, big, 500, 4);
    expect(narrow.loss.high - narrow.loss.low).toBeLessThan(wide.loss.high - wide.loss.low);
  });

  it('is reproducible for a seed', () => {
    const base = docs(20, 5);
    const hurt = docs(20, 5, 0.3);
    expect(conditionMetrics(base, hurt, 300, 11)).toEqual(conditionMetrics(base, hurt, 300, 11));
  });
});
