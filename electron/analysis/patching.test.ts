// The patching maths on hand-computed cases: metrics, the normalised effect in both directions,
// the per-token values that patch chosen positions, the interval over pairs and the ranking.
import { describe, expect, it } from 'vitest';
import { estimate, metricOf, normalisedEffect, patchTokenShift, topIndices } from './patching.js';

describe('patching maths', () => {
  it('metrics: logit difference, and the loss as -log softmax', () => {
    const logits = [1, 3, 0];
    expect(metricOf(logits, 'logit-diff', 1, 0)).toBe(2);
    const z = Math.exp(1) + Math.exp(3) + Math.exp(0);
    expect(metricOf(logits, 'loss', 1, 0)).toBeCloseTo(-Math.log(Math.exp(3) / z), 12);
    expect(() => metricOf(logits, 'logit-diff', 3, 0)).toThrow(/target token 3 is outside the vocabulary 0..2/);
  });

  it('normalised effect: 1 restores (denoise) or destroys (noise) the whole gap, null without a gap', () => {
    expect(normalisedEffect(10, 10, 2, 'denoise')).toBe(1);
    expect(normalisedEffect(2, 10, 2, 'denoise')).toBe(0);
    expect(normalisedEffect(6, 10, 2, 'denoise')).toBe(0.5);
    expect(normalisedEffect(2, 10, 2, 'noise')).toBe(1);
    expect(normalisedEffect(8, 10, 2, 'noise')).toBe(0.25);
    // the loss metric: clean is lower; the same formula still reads 1 = restored
    expect(normalisedEffect(0.5, 0.5, 4.5, 'denoise')).toBe(1);
    expect(normalisedEffect(1, 3, 3, 'denoise')).toBeNull();
  });

  it('token shift: the source at the patched position (or all), the base elsewhere, in [rows*T, L, F] order', () => {
    // L = 2 layers, T = 2 positions, F = 1 neuron; base values 1.., source 10..
    const base = [Float32Array.from([1, 2]), Float32Array.from([3, 4])];
    const source = [Float32Array.from([10, 20]), Float32Array.from([30, 40])];
    const shift = patchTokenShift(base, source, 2, 1, [1, 'all']);
    // row 0 patches position 1: t0 (l0, l1) = base, t1 = source; row 1 patches both
    expect(Array.from(shift)).toEqual([1, 3, 20, 40, 10, 30, 20, 40]);
    expect(() => patchTokenShift(base, source, 2, 1, [2])).toThrow(/position 2 is not in 0..1/);
  });

  it('estimate: the mean with 1.96 standard errors; one pair is its own interval; nulls are left out', () => {
    expect(estimate([0.5])).toEqual({ effect: 0.5, low: 0.5, high: 0.5 });
    const e = estimate([1, 3, null]) as { effect: number; low: number; high: number };
    expect(e.effect).toBe(2);
    expect(e.high - e.effect).toBeCloseTo(1.96 * Math.sqrt(2 / 2), 12);
    expect(estimate([null])).toBeNull();
  });

  it('top indices: largest first, ties by index, nulls never picked', () => {
    expect(topIndices([0.1, null, 0.9, 0.1, -1], 3)).toEqual([2, 0, 3]);
    expect(topIndices([null, null], 2)).toEqual([]);
  });
});
