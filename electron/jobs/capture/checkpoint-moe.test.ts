// A capture checkpoint of a mixture-of-experts model stores each unit's token count (the tokens
// routed to its expert) and restores it with the layer's token count (from the active histogram).
import { describe, expect, it } from 'vitest';
import { addBatch, emptyStats } from '../../analysis/neuron-stats.js';
import { fromStored, toStored } from './checkpoint.js';

// one layer of 4 units, 10 tokens; units 0-1 routed at 4 of them, units 2-3 at 8
const batch = (fire: number[], unitCount?: number[]) => ({
  count: [10],
  ...(unitCount ? { unitCount } : {}),
  sum: [2, 0, 4, 8],
  sumsq: [4, 0, 4, 8],
  min: [0, 0, 0, 0],
  max: [1, 0, 1, 1],
  fireCount: fire,
  activeCount: [1, 1, 2, 1, 0, 1, 0, 1, 0, 0],
});

describe('capture checkpoint, per-unit counts', () => {
  it('a checkpoint stores the per-unit counts and restores them with the layer\'s tokens', () => {
    const acc = addBatch(addBatch(emptyStats(1, 4), batch([2, 0, 3, 2], [4, 4, 8, 8])), batch([1, 0, 1, 1], [4, 4, 8, 8]));
    const stored = toStored(acc);
    expect(Array.from(stored.count)).toEqual([8, 8, 16, 16]);
    const back = fromStored(stored, { fireThreshold: 0, fireMode: 'positive' });
    expect(Array.from(back.count)).toEqual([20]);
    expect(Array.from(back.unitCount ?? [])).toEqual([8, 8, 16, 16]);
    // a dense checkpoint stays dense
    const dense = addBatch(emptyStats(1, 4), batch([1, 0, 1, 1]));
    expect(fromStored(toStored(dense), { fireThreshold: 0, fireMode: 'positive' }).unitCount).toBeNull();
  });
});
