import { describe, expect, it } from 'vitest';
import { canonical, difference, matchedControl, matchedRandomPrefixes, perLayerCounts, rankByScore, rankedPrefix, union } from './neuron-sets.js';

const shape = { layers: 3, neurons: 20 };
const set = [
  { layer: 0, neuron: 3 },
  { layer: 0, neuron: 7 },
  { layer: 2, neuron: 19 },
];

describe('neuron sets', () => {
  it('union and difference are set operations on canonical lists', () => {
    expect(union(set, [{ layer: 1, neuron: 0 }, { layer: 0, neuron: 3 }])).toEqual(canonical([...set, { layer: 1, neuron: 0 }]));
    expect(difference(set, [{ layer: 0, neuron: 7 }])).toEqual([{ layer: 0, neuron: 3 }, { layer: 2, neuron: 19 }]);
  });

  it('a matched control has the same per-layer counts, no member of the set, and depends only on the seed', () => {
    const a = matchedControl(set, shape, 42);
    expect(perLayerCounts(a, 3)).toEqual(perLayerCounts(set, 3));
    const members = new Set(set.map((n) => `${n.layer}:${n.neuron}`));
    expect(a.some((n) => members.has(`${n.layer}:${n.neuron}`))).toBe(false);
    expect(matchedControl(set, shape, 42)).toEqual(a);
    const others = new Set(Array.from({ length: 20 }, (_, s) => JSON.stringify(matchedControl(set, shape, s))));
    expect(others.size).toBeGreaterThan(10);
  });

  it('refuses a control that cannot be matched', () => {
    const half = Array.from({ length: 11 }, (_, i) => ({ layer: 1, neuron: i }));
    expect(() => matchedControl(half, shape, 1)).toThrow(/layer 1: the set has 11 neurons but only 9/);
  });

  it('ranks by score with non-finite scores last, and takes prefixes by fraction', () => {
    const scores = [3, NaN, 1, 2];
    const r = rankByScore(scores, { layers: 2, neurons: 2 }, 'ascending');
    expect(r).toEqual([{ layer: 1, neuron: 0 }, { layer: 1, neuron: 1 }, { layer: 0, neuron: 0 }, { layer: 0, neuron: 1 }]);
    expect(rankByScore(scores, { layers: 2, neurons: 2 }, 'descending')[3]).toEqual({ layer: 0, neuron: 1 });
    expect(rankedPrefix(r, 0.5)).toEqual([{ layer: 1, neuron: 0 }, { layer: 1, neuron: 1 }]);
  });

  it('random prefixes match the ranked prefixes layer by layer and are nested', () => {
    const scores = Array.from({ length: 60 }, (_, i) => (i * 37) % 61);
    const ranking = rankByScore(scores, shape, 'ascending');
    const fractions = [0, 0.25, 0.5, 0.9];
    const random = matchedRandomPrefixes(ranking, fractions, shape, 7);
    fractions.forEach((f, i) => expect(perLayerCounts(random[i] ?? [], 3)).toEqual(perLayerCounts(rankedPrefix(ranking, f), 3)));
    for (let i = 1; i < random.length; i++) {
      const bigger = new Set((random[i] ?? []).map((n) => `${n.layer}:${n.neuron}`));
      expect((random[i - 1] ?? []).every((n) => bigger.has(`${n.layer}:${n.neuron}`))).toBe(true);
    }
  });
});
