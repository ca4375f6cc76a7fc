import { describe, expect, it } from 'vitest';
import type { Tokenizer } from '../../../native-models/tokenizers/tokenizer.js';
import { planSamples, posOfToken } from './samples.js';
import { planWindows } from './windows.js';

describe('planSamples', () => {
  const plan = planWindows([500, 40, 3, 900, 120], 64, 48);

  it('spreads the count evenly over documents, deterministically per seed', () => {
    const picks = planSamples(plan, 50, 7);
    expect(picks).toHaveLength(50);
    const perDoc = [0, 1, 2, 3, 4].map((d) => picks.filter((p) => p.doc === d).length);
    expect(perDoc[2]).toBe(3); // the short document gives what it cannot hold to the others
    expect(Math.max(...perDoc.filter((_, d) => d !== 2)) - Math.min(...perDoc.filter((_, d) => d !== 2))).toBeLessThanOrEqual(1);
    expect(planSamples(plan, 50, 7)).toEqual(picks);
    expect(planSamples(plan, 50, 8)).not.toEqual(picks);
    // distinct tokens, each in the window that counts it, in window order
    expect(new Set(picks.map((p) => `${p.doc}:${p.position}`)).size).toBe(50);
    for (const p of picks) {
      const w = plan.windows[p.window]!;
      expect(w.doc).toBe(p.doc);
      expect(p.position).toBeGreaterThanOrEqual(w.start + w.skip);
      expect(p.position).toBeLessThan(w.start + w.skip + w.counted);
    }
    expect(picks.map((p) => p.window)).toEqual(picks.map((p) => p.window).sort((a, b) => a - b));
  });

  it('spreads a document\'s samples over its length and takes every token when asked for more', () => {
    const inDoc = planSamples(plan, 50, 1).filter((p) => p.doc === 3).map((p) => p.position);
    // 12 strata of 900 / 12 = 75 tokens: one pick in each
    inDoc.forEach((p, i) => expect(Math.floor(p / 75)).toBe(i));
    expect(planSamples(plan, 10_000, 0)).toHaveLength(plan.tokens);
    expect(planSamples(plan, 0, 0)).toEqual([]);
  });
});

describe('posOfToken', () => {
  // a tokenizer of two-character tokens
  const text = 'The cat sat.';
  const pieces = ['Th', 'e ', 'ca', 't ', 'sa', 't.'];
  const tok = { decode: (ids: readonly number[]) => ids.map((i) => pieces[i]).join('') } as unknown as Tokenizer;
  const spans: Array<[number, number, string]> = [
    [0, 3, 'AT'],
    [4, 7, 'NN'],
    [8, 11, 'VBD'],
    [11, 12, '.'],
  ];
  const ids = [0, 1, 2, 3, 4, 5];
  it('tags a token with the word holding its first non-space character', () => {
    expect(ids.map((_, p) => posOfToken(tok, text, ids, p, spans))).toEqual(['AT', 'AT', 'NN', 'NN', 'VBD', 'VBD']);
  });
  it('skips document characters the tokenizer dropped, and gives nothing when the text does not match', () => {
    const dropped = 'The\n\ncat sat.';
    const shifted: Array<[number, number, string]> = [[0, 3, 'AT'], [5, 8, 'NN'], [9, 12, 'VBD'], [12, 13, '.']];
    const tok2 = { decode: (xs: readonly number[]) => xs.map((i) => ['Th', 'e', 'ca', 't ', 'sa', 't.'][i]).join('') } as unknown as Tokenizer;
    expect(ids.map((_, p) => posOfToken(tok2, dropped, ids, p, shifted))).toEqual(['AT', 'AT', 'NN', 'NN', 'VBD', 'VBD']);
    expect(posOfToken(tok, 'Another text', ids, 2, spans)).toBeUndefined();
  });
});
