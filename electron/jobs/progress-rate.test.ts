import { describe, expect, it } from 'vitest';
import { addSample, etaSeconds, rateOf, type RateSample } from './progress-rate.js';

describe('progress rate', () => {
  it('measures units per second over the window and drops old samples', () => {
    let s: RateSample[] = [];
    for (let t = 0; t <= 10_000; t += 1000) s = addSample(s, { at: t, done: t < 5000 ? t / 100 : t / 10 });
    // the last 5 s ran at 100 units/s; the first half at 10 units/s must be forgotten
    expect(s[0]!.at).toBe(5000);
    expect(rateOf(s)).toBeCloseTo(100, 6);
  });

  it('has no rate from a single sample and no ETA without a total', () => {
    expect(rateOf(addSample([], { at: 0, done: 5 }))).toBeNull();
    expect(etaSeconds(5, null, 10)).toBeNull();
    expect(etaSeconds(5, 25, 10)).toBe(2);
    expect(etaSeconds(5, 25, 0)).toBeNull();
  });

  it('keeps the newest two samples even when both are older than the window', () => {
    const s = addSample([{ at: 0, done: 0 }], { at: 60_000, done: 600 });
    expect(s).toHaveLength(2);
    expect(rateOf(s)).toBe(10);
  });
});
