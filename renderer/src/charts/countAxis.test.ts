import { describe, expect, it } from 'vitest';
import { logCountScale, roundValueTicks } from './countAxis';

describe('histogram axes', () => {
  it('puts a log count axis on powers of ten, with a bin of 1 above the bottom and 0 on it', () => {
    const s = logCountScale(200, 0, 3500);
    expect(s.ticks).toEqual([1, 10, 100, 1000, 10000]);
    expect(s.y(10000)).toBeCloseTo(0);
    expect(s.y(0)).toBe(200);
    expect(s.y(1)).toBeLessThan(200);
    // equal ratios are equal heights
    expect(s.y(10) - s.y(100)).toBeCloseTo(s.y(100) - s.y(1000));
  });

  it('ticks a value axis at round numbers inside the range', () => {
    const t = roundValueTicks(-0.173, 2.412, 0, 100);
    expect(t.map((x) => x.value)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(t[0]!.x).toBeCloseTo((0.173 / 2.585) * 100);
    expect(roundValueTicks(1, 1, 0, 100)).toEqual([{ value: 1, x: 50 }]);
  });
});
