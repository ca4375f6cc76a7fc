import { describe, expect, it } from 'vitest';
import { detectPositional, detectTokenSpecific, type SampledActivations } from './selectivity.js';
import { gaussian, prng } from './test-support.js';

// Synthetic samples: tokens drawn from a Zipf-like vocabulary at random window positions, ReLU
// neurons of Gaussian pre-activations, and planted neurons at random places: token detectors
// (firing only on one token type, on a share of its occurrences) and positional neurons (high on
// the first positions of the window). Only the data can tell where they are.

const S = 4000;
const L = 2;
const F = 40;
const V = 60;
const T = 128;

interface Planted {
  sampled: SampledActivations;
  token: Map<number, number>; // neuron index -> its token
  positional: number[];
}

function plant(seed: number): Planted {
  const r = prng(seed);
  const z = gaussian(r);
  const tokenIds = Int32Array.from({ length: S }, () => Math.min(V - 1, Math.floor(V * r() ** 2)));
  const positions = Int32Array.from({ length: S }, () => Math.floor(r() * T));
  const free = Array.from({ length: L * F }, (_, i) => i);
  const take = () => free.splice(Math.floor(r() * free.length), 1)[0]!;
  const token = new Map<number, number>([
    [take(), tokenIds[0]!],
    [take(), tokenIds[1]!],
  ]);
  const positional = [take(), take()].sort((a, b) => a - b);
  const values = Array.from({ length: L }, () => new Float32Array(S * F));
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < L * F; i++) {
      const l = Math.floor(i / F);
      const f = i % F;
      let v: number;
      if (token.has(i)) v = tokenIds[s] === token.get(i) && r() < 0.6 ? 1 + r() : Math.min(0, z());
      else if (positional.includes(i)) v = positions[s]! < 8 ? 3 + 0.2 * z() : Math.min(0, 0.2 * z());
      else v = Math.max(0, z() + 0.3 * Math.sin(tokenIds[s]!));
      values[l]![s * F + f] = v;
    }
  }
  return { sampled: { layers: L, neurons: F, tokenIds, tokenText: (id) => `t${id}`, windowPositions: positions, values }, token, positional };
}

const rule = { fireThreshold: 0, fireMode: 'positive' as const };
const ids = (vs: ReadonlyArray<{ layer: number; neuron: number }>) => vs.map((v) => v.layer * F + v.neuron).sort((a, b) => a - b);

describe('token-specific and positional neurons from sampled activations', () => {
  for (const seed of [1, 2]) {
    const p = plant(seed);

    it(`find exactly the planted token detectors (seed ${seed})`, () => {
      const found = detectTokenSpecific(p.sampled, rule);
      expect(ids(found)).toEqual([...p.token.keys()].sort((a, b) => a - b));
      for (const v of found) {
        const want = p.token.get(v.layer * F + v.neuron)!;
        expect(v.evidence.types_for_coverage).toBe(1);
        expect(v.evidence.tokens[0]).toMatchObject({ token_id: want, token: `t${want}`, share: 1, mass_share: 1 });
        expect(v.evidence.tokens[0]!.recall).toBeCloseTo(v.evidence.firings / p.sampled.tokenIds.filter((t) => t === want).length, 12);
        const occurrences = p.sampled.tokenIds.filter((t) => t === want).length;
        expect(v.evidence.firings).toBeGreaterThan(0.4 * occurrences);
        expect(v.evidence.firings).toBeLessThan(0.8 * occurrences);
        expect(v.evidence).toMatchObject({ sampled_tokens: S, coverage: 0.95, fire_mode: 'positive' });
      }
    });

    it(`find exactly the planted positional neurons (seed ${seed})`, () => {
      const found = detectPositional(p.sampled, rule);
      expect(ids(found)).toEqual(p.positional);
      for (const v of found) {
        expect(v.evidence.share).toBeGreaterThan(0.8);
        expect(v.evidence.peak_positions[0]).toBeLessThan(8);
        expect(v.evidence.peak_rate).toBe(1);
        expect(v.evidence.bin_width).toBe(2); // 4000 / 32 = 125 bins wanted, over 128 positions
      }
    });
  }

  it('eta^2 equals the share of the variance of firing explained by position, computed directly', () => {
    const r = prng(5);
    const positions = Int32Array.from({ length: 800 }, () => Math.floor(r() * 64));
    // fires with a probability that rises with the position
    const values = [Float32Array.from(positions, (q) => (r() < q / 80 ? 1 : -1))];
    const s: SampledActivations = { layers: 1, neurons: 1, tokenIds: new Int32Array(800), tokenText: String, windowPositions: positions, values };
    const fired = Array.from(values[0]!, (v): number => (v > 0 ? 1 : 0));
    const mean = fired.reduce((a, b) => a + b, 0) / fired.length;
    const total = fired.reduce((a, b) => a + (b - mean) ** 2, 0);
    const between = [0, 1, 2, 3].reduce((acc, h) => {
      const xs = fired.filter((_, i) => Math.floor(positions[i]! / 16) === h);
      return acc + xs.length * (xs.reduce((x, y) => x + y, 0) / xs.length - mean) ** 2;
    }, 0);
    expect(detectPositional(s, rule, { bins: 4, minShare: 0 })[0]!.evidence.share).toBeCloseTo(between / total, 12);
    // firing only in the first half of the window: all of its variance is between the halves
    const half = [Float32Array.from(positions, (q) => (q < 32 ? 1 : -1))];
    expect(detectPositional({ ...s, values: half }, rule, { bins: 2 })[0]!.evidence.share).toBeCloseTo(1, 12);
  });

  it('a unit that fires with the text but takes an odd value at the first position is not positional', () => {
    const r = prng(6);
    const positions = Int32Array.from({ length: 2000 }, () => Math.floor(r() * 128));
    const values = [Float32Array.from(positions, (q) => (q === 0 ? 50 : r() < 0.5 ? 1 : -1))];
    const s: SampledActivations = { layers: 1, neurons: 1, tokenIds: new Int32Array(2000), tokenText: String, windowPositions: positions, values };
    expect(detectPositional(s, rule)).toEqual([]);
  });

  it('judge nothing without enough firings, samples or window positions, and refuse nonsensical options', () => {
    const p = plant(3);
    expect(detectTokenSpecific(p.sampled, rule, { minFirings: S + 1 })).toEqual([]);
    expect(detectPositional(p.sampled, rule, { minSamples: S + 1 })).toEqual([]);
    expect(detectPositional({ ...p.sampled, windowPositions: null }, rule)).toEqual([]);
    expect(() => detectTokenSpecific(p.sampled, rule, { coverage: 1.5 })).toThrow(/coverage must be in \[0, 1\]/);
    expect(() => detectPositional(p.sampled, rule, { minShare: -0.1 })).toThrow(/minShare/);
  });

  it('a neuron that fires on a few of its token\'s occurrences is not a detector of it (minRecall)', () => {
    const tokenIds = Int32Array.from({ length: 400 }, (_, i) => i % 4);
    // fires only on token 0, on a quarter of its 100 occurrences
    const values = [Float32Array.from(tokenIds, (t, i) => (t === 0 && i % 16 === 0 ? 1 : -1))];
    const s: SampledActivations = { layers: 1, neurons: 1, tokenIds, tokenText: String, windowPositions: null, values };
    expect(detectTokenSpecific(s, rule, { minFirings: 5 })).toEqual([]);
    expect(detectTokenSpecific(s, rule, { minFirings: 5, minRecall: 0.25 })[0]!.evidence.tokens[0]).toMatchObject({ token_id: 0, recall: 0.25, share: 1 });
  });

  it('count firings by the capture\'s rule: |a| > t counts the negative side too', () => {
    const tokenIds = Int32Array.from({ length: 100 }, (_, i) => i % 10);
    // fires positively on token 3 only, and negatively on every other token
    const values = [Float32Array.from(tokenIds, (t) => (t === 3 ? 1 : -1))];
    const s: SampledActivations = { layers: 1, neurons: 1, tokenIds, tokenText: String, windowPositions: null, values };
    expect(detectTokenSpecific(s, rule, { minFirings: 5 })).toHaveLength(1);
    expect(detectTokenSpecific(s, { fireThreshold: 0, fireMode: 'magnitude' }, { minFirings: 5 })).toEqual([]);
  });
});
