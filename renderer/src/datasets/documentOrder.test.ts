import { describe, expect, it } from 'vitest';
import { initialOrderFields, orderFilter } from './documentOrder';

describe('document order fields', () => {
  it('default to a shuffled order with seed 0 (the seed left to the default)', () => {
    expect(orderFilter(initialOrderFields)).toEqual({ order: 'shuffled' });
  });

  it('read a stratified order, a split and a per-document cut', () => {
    expect(orderFilter({ ...initialOrderFields, order: 'stratified', orderSeed: '4', split: 'validation', splitFraction: '0.2', splitSeed: '7', tokensPerDocument: '256' }, ['genre'])).toEqual({
      order: 'stratified',
      seed: 4,
      stratifyBy: 'genre',
      split: { part: 'validation', fraction: 0.2, seed: 7 },
      tokensPerDocument: 256,
    });
    expect(orderFilter({ ...initialOrderFields, order: 'corpus', orderSeed: 'ignored' })).toEqual({ order: 'corpus' });
  });

  it('say which field is wrong', () => {
    expect(orderFilter({ ...initialOrderFields, order: 'stratified', stratifyBy: 'colour' }, ['genre'])).toBe('This corpus has no metadata field "colour" to stratify by (its fields: genre).');
    expect(orderFilter({ ...initialOrderFields, split: 'train', splitFraction: '1.5' })).toMatch(/Validation share must be a number between 0 and 1/);
    expect(orderFilter({ ...initialOrderFields, tokensPerDocument: '1' })).toBe('Tokens per document must be a whole number of at least 2.');
    expect(orderFilter({ ...initialOrderFields, orderSeed: '-1' })).toBe('Order seed must be a whole number of at least 0.');
  });
});
