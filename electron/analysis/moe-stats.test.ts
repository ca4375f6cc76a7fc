// Mixture-of-experts units count only the tokens routed to their expert (stats_unit_count): the
// accumulator keeps per-neuron counts, summaries and detectors use them, and merges add them
// (jobs/capture/checkpoint-moe.test.ts: a checkpoint stores and restores them).
import { describe, expect, it } from 'vitest';
import { detectDead } from './detectors.js';
import { addBatch, emptyStats, merge, summarize, summaryRow } from './neuron-stats.js';

// one layer of 4 units; 10 tokens; units 0-1 belong to an expert routed at 4 tokens, units 2-3 to one routed at 8
function batch(fire: number[], max = [1, 0, 1, 1]) {
  return {
    count: [10],
    unitCount: [4, 4, 8, 8],
    sum: [2, 0, 4, 8],
    sumsq: [4, 0, 4, 8],
    min: [0, 0, 0, 0],
    max,
    fireCount: fire,
    activeCount: [1, 1, 2, 1, 0, 1, 0, 1, 0, 0],
  };
}

describe('per-unit token counts', () => {
  it('fire rates, means and verdict evidence use the unit\'s own tokens; the layer keeps its own', () => {
    const acc = addBatch(emptyStats(1, 4), batch([2, 0, 3, 2]));
    const s = summarize(acc);
    expect(Array.from(s.tokens)).toEqual([10]);
    expect(Array.from(s.unitTokens ?? [])).toEqual([4, 4, 8, 8]);
    expect(Array.from(s.fireRate)).toEqual([0.5, 0, 3 / 8, 2 / 8]);
    expect(Array.from(s.mean)).toEqual([0.5, 0, 0.5, 1]);
    expect(s.meanActiveFraction[0]).toBe(7 / 40);
    expect(summaryRow(s, 0, 1).tokens).toBe(4);
    // unit 1 never moved on its 4 routed tokens: dead, with the 3/N bound of those 4 tokens
    const dead = detectDead(s, { minTokens: 1 });
    expect(dead.map((v) => [v.neuron, (v.evidence as { tokens: number; upper95: number }).tokens, (v.evidence as { upper95: number }).upper95])).toEqual([[1, 4, 3 / 4]]);
  });

  it('a unit cannot fire on more tokens than were routed to it', () => {
    expect(() => addBatch(emptyStats(1, 4), batch([5, 0, 3, 2]))).toThrow(/fireCount\[0, 0\] = 5 exceeds the neuron's 4 tokens/);
  });

  it('merges add per-unit counts (a dense shard counts every token for each unit)', () => {
    const a = addBatch(emptyStats(1, 4), batch([2, 0, 3, 2]));
    const b = addBatch(emptyStats(1, 4), { ...batch([1, 0, 1, 1]), unitCount: undefined, activeCount: undefined });
    expect(Array.from(merge(a, b).unitCount ?? [])).toEqual([14, 14, 18, 18]);
    expect(merge(b, b).unitCount).toBeNull();
  });
});
