import { describe, expect, it } from 'vitest';
import { expertOf, expertRange, expertUnitLabel, expertWidth } from './experts.js';

const mixtral = { experts: 4, expertFf: 16 };
const qwen = { experts: 3, expertFf: 4, shared: { ff: 6 } };

describe('expert of a neuron on the flat axis', () => {
  it('routed experts: neuron = e * expertFf + u', () => {
    expect(expertWidth(mixtral)).toBe(64);
    expect(expertOf(0, mixtral)).toEqual({ expert: 0, unit: 0 });
    expect(expertOf(15, mixtral)).toEqual({ expert: 0, unit: 15 });
    expect(expertOf(16, mixtral)).toEqual({ expert: 1, unit: 0 });
    expect(expertOf(63, mixtral)).toEqual({ expert: 3, unit: 15 });
    for (let n = 0; n < 64; n++) {
      const { expert, unit } = expertOf(n, mixtral);
      expect((expert as number) * 16 + unit).toBe(n);
      const r = expertRange(expert, mixtral);
      expect(n >= r.start && n < r.end).toBe(true);
    }
    expect(() => expertOf(64, mixtral)).toThrow(RangeError);
    expect(() => expertOf(-1, mixtral)).toThrow(RangeError);
    expect(() => expertRange('shared', mixtral)).toThrow(/no shared expert/);
    expect(() => expertRange(4, mixtral)).toThrow(/0\.\.3/);
  });

  it('the shared expert comes last, its units numbered from 0', () => {
    expect(expertWidth(qwen)).toBe(18);
    expect(expertOf(11, qwen)).toEqual({ expert: 2, unit: 3 });
    expect(expertOf(12, qwen)).toEqual({ expert: 'shared', unit: 0 });
    expect(expertOf(17, qwen)).toEqual({ expert: 'shared', unit: 5 });
    expect(() => expertOf(18, qwen)).toThrow(RangeError);
    expect(expertRange('shared', qwen)).toEqual({ start: 12, end: 18 });
    expect(expertRange(1, qwen)).toEqual({ start: 4, end: 8 });
    // the ranges tile the layer
    const ranges = [0, 1, 2, 'shared' as const].map((e) => expertRange(e, qwen));
    expect(ranges.map((r) => [r.start, r.end])).toEqual([[0, 4], [4, 8], [8, 12], [12, 18]]);
    expect(expertUnitLabel(expertOf(13, qwen))).toBe('shared expert, unit 1');
    expect(expertUnitLabel(expertOf(5, qwen))).toBe('expert 1, unit 1');
  });
});
