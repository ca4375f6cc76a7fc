import { describe, expect, it } from 'vitest';
import { planWindows } from './windows.js';

/** Every (doc, position) counted, in order, from a plan. */
function countedPositions(lengths: number[], seqLen: number, stride: number, max?: number): string[] {
  return planWindows(lengths, seqLen, stride, max).windows.flatMap((w) =>
    Array.from({ length: w.counted }, (_, i) => `${w.doc}:${w.start + w.skip + i}`),
  );
}

describe('planWindows', () => {
  it('counts every token of every document exactly once, whatever the stride', () => {
    const lengths = [1, 5, 17, 8, 0, 33];
    const all = lengths.flatMap((n, d) => Array.from({ length: n }, (_, p) => `${d}:${p}`));
    for (const [seqLen, stride] of [[8, 8], [8, 4], [8, 1], [4, 3], [40, 40]] as const) {
      expect(countedPositions(lengths, seqLen, stride)).toEqual(all);
    }
  });

  it('keeps windows within the sequence length and the document', () => {
    const plan = planWindows([20], 8, 5);
    expect(plan.windows.map((w) => [w.start, w.length, w.skip, w.counted])).toEqual([
      [0, 8, 0, 8],
      [5, 8, 3, 5],
      [10, 8, 3, 5],
      [15, 5, 3, 2],
    ]);
    expect(plan.tokens).toBe(20);
  });

  it('stops at maxTokens, partway through a window', () => {
    const plan = planWindows([10, 10], 4, 4, 13);
    expect(plan.tokens).toBe(13);
    expect(plan.windows.at(-1)).toEqual({ doc: 1, start: 0, length: 4, skip: 0, counted: 3 });
  });

  it('refuses a stride longer than the window (tokens would be skipped)', () => {
    expect(() => planWindows([10], 4, 5)).toThrow(/stride must be an integer in 1\.\.4/);
    expect(() => planWindows([10], 1, 1)).toThrow(/sequence length must be an integer >= 2/);
  });
});
