import { describe, expect, it } from 'vitest';
import { coverageWarnings, heldOutWarnings, tokenizerWarnings } from './coverage.js';

describe('coverage warnings', () => {
  it('warns when the documents read take one value of a categorical field the corpus varies', () => {
    const w = coverageWarnings([{ field: 'genre', corpusValues: 15, values: ['news'] }], 500, 31);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/one value of "genre" only \(genre = news, 1 of the corpus's 15 values, over 31 documents\)/);
  });

  it('says nothing when several values are covered, the corpus has one value, or the field names each document', () => {
    expect(coverageWarnings([{ field: 'genre', corpusValues: 15, values: ['news', 'lore'] }], 500, 30)).toEqual([]);
    expect(coverageWarnings([{ field: 'source', corpusValues: 1, values: ['brown'] }], 500, 30)).toEqual([]);
    expect(coverageWarnings([{ field: 'title', corpusValues: 500, values: ['A'] }], 500, 1)).toEqual([]);
  });

  it('warns about a held-out set of fewer than 30 documents, not of 30', () => {
    expect(heldOutWarnings(6)[0]).toMatch(/held-out set has 6 documents \(fewer than 30\)/);
    expect(heldOutWarnings(30)).toEqual([]);
  });

  it('says "most likely the wrong tokenizer" when the loss is worse than a uniform guess, and nothing below it', () => {
    // ln(4096) = 8.318
    expect(tokenizerWarnings(9.1, 4096)[0]).toMatch(/above ln\(4096\) = 8\.318.*most likely the wrong tokenizer/);
    expect(tokenizerWarnings(5.16, 4096)).toEqual([]);
    expect(tokenizerWarnings(Number.NaN, 4096)).toEqual([]);
  });
});
