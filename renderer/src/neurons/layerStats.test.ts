import { describe, expect, it } from 'vitest';
import type { NeuronRow } from '../api/contract';
import { fireRateBins, median, summarizeLayers } from './layerStats';

const row = (layer: number, o: Partial<NeuronRow>): NeuronRow => ({
  layer,
  neuron: 0,
  tokens: 100,
  mean: 0,
  std: 1,
  min: 0,
  max: 1,
  peak_abs: 1,
  mean_abs: 0.5,
  fire_count: 1,
  fire_rate: 0.01,
  kurtosis: 0,
  peak_ratio: 1,
  verdicts: [],
  ...o,
});

describe('layer summaries', () => {
  it('counts dead neurons, the max peak and the median kurtosis per layer', () => {
    const rows = [
      row(0, { verdicts: [{ kind: 'dead', evidence: {} }], peak_abs: 0.5, kurtosis: 1 }),
      row(0, { peak_abs: 7, kurtosis: 3 }),
      row(0, { peak_abs: null, kurtosis: null }),
      row(2, { peak_abs: -1 + 3, kurtosis: 10 }),
    ];
    const s = summarizeLayers(rows, 3);
    expect(s.map((l) => l.dead)).toEqual([1, 0, 0]);
    expect(s.map((l) => l.neurons)).toEqual([3, 0, 1]);
    expect(s.map((l) => l.maxPeak)).toEqual([7, null, 2]);
    expect(s.map((l) => l.medianKurtosis)).toEqual([2, null, 10]);
  });
  it('median of even and odd lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('fire-rate bins', () => {
  it('puts zeros apart and the rest in decades, 1 in the last', () => {
    const { bins, edges, unknown } = fireRateBins([0, 0, 0.0005, 0.002, 0.05, 0.5, 1, null]);
    expect(bins.map((b) => b.count)).toEqual([2, 1, 1, 1, 2]);
    expect(edges).toEqual([null, '10⁻⁴', '10⁻³', '10⁻²', '10⁻¹', '10⁰']);
    expect(unknown).toBe(1);
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(7);
  });
});
