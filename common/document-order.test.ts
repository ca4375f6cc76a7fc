import { describe, expect, it } from 'vitest';
import { inSplit, orderDocuments, shuffled, stratified, withStoredOrder } from './document-order.js';

const docs = Array.from({ length: 60 }, (_, i) => ({ name: `d${i}`, genre: ['news', 'fiction', 'lore'][Math.floor(i / 20)] as string }));

describe('document order', () => {
  it('shuffles by seed: a permutation, the same for the same seed, another for another seed', () => {
    const a = shuffled(docs, 7);
    expect(a.map((d) => d.name).sort()).toEqual(docs.map((d) => d.name).sort());
    expect(shuffled(docs, 7)).toEqual(a);
    expect(shuffled(docs, 8)).not.toEqual(a);
    expect(a).not.toEqual(docs);
    // the first 10 of a shuffle are not the corpus's first genre only
    expect(new Set(a.slice(0, 10).map((d) => d.genre)).size).toBeGreaterThan(1);
  });

  it('deals a stratified order round-robin over the field\'s values', () => {
    const s = stratified(docs, (d) => d.genre, 3);
    expect(s.map((d) => d.name).sort()).toEqual(docs.map((d) => d.name).sort());
    // every consecutive triple holds each genre once, in sorted order of the values
    for (let i = 0; i < 60; i += 3) expect(s.slice(i, i + 3).map((d) => d.genre)).toEqual(['fiction', 'lore', 'news']);
    // uneven groups: the larger one fills the tail
    const uneven = stratified([...docs.slice(0, 5), ...docs.slice(20, 22)], (d) => d.genre, 0).map((d) => d.genre);
    expect(uneven).toEqual(['fiction', 'news', 'fiction', 'news', 'news', 'news', 'news']);
  });

  it('keeps corpus order when asked', () => {
    expect(orderDocuments(docs, 'corpus', 1, (d) => d.genre)).toEqual(docs);
  });

  it('splits by name and seed: disjoint parts covering every document, about the fraction held out', () => {
    const split = { fraction: 0.25, seed: 5 };
    const names = Array.from({ length: 2000 }, (_, i) => `doc-${i}`);
    const validation = names.filter((n) => inSplit(n, { ...split, part: 'validation' }));
    const train = names.filter((n) => inSplit(n, { ...split, part: 'train' }));
    expect(validation.length + train.length).toBe(2000);
    expect(validation.filter((n) => train.includes(n))).toEqual([]);
    expect(validation.length / 2000).toBeGreaterThan(0.22);
    expect(validation.length / 2000).toBeLessThan(0.28);
    // another seed holds out other documents
    const other = names.filter((n) => inSplit(n, { ...split, seed: 6, part: 'validation' }));
    expect(other).not.toEqual(validation);
  });

  it('reads a filter stored before orders existed as corpus order', () => {
    expect(withStoredOrder({ documents: 3 })).toEqual({ documents: 3, order: 'corpus' });
    expect(withStoredOrder({ order: 'shuffled' })).toEqual({ order: 'shuffled' });
  });
});
