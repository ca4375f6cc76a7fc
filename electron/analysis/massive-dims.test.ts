// The massive-dims detector and the activation-informed super-weight ranking on synthetic inputs:
// thresholds (ratio and floor), first layer, occurrences, unavailability without samples or
// without residual maxima; the ranking finds the one weight that writes the dim.
import { describe, expect, it } from 'vitest';
import { detectMassiveDims, medianAbs } from './massive-dims.js';
import type { ResidTopRow } from './resid-top.js';
import { superWeightCandidates } from './super-weights.js';

const L = 3;
const D = 6;

/** resid_top rows: every (layer, dim) has two occurrences, the given max and a smaller one. */
function rows(max: (l: number, d: number) => number): ResidTopRow[] {
  const out: ResidTopRow[] = [];
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const m = max(l, d);
      out.push({ layer: l, dim: d, rank: 0, abs: m, value: -m, documentId: 7, position: d === 2 ? 0 : 5, tokenId: 40 + d });
      out.push({ layer: l, dim: d, rank: 1, abs: m / 2, value: m / 2, documentId: 8, position: 3, tokenId: 11 });
    }
  }
  return out;
}

describe('detectMassiveDims', () => {
  // median |h| 0.5 in every layer; dim 2 is 300 from layer 1 on, dim 4 is 30 in layer 2 only (60x:
  // below the ratio), dim 5 is 60 in layer 0 (120x) and 10 after
  const top = rows((l, d) => (d === 2 && l >= 1 ? 300 : d === 4 && l === 2 ? 30 : d === 5 ? (l === 0 ? 60 : 10) : 1));
  const input = { layers: L, dims: D, top, layerMedian: [0.5, 0.5, 0.5], samples: 100 };

  it('finds the dims at or above both the ratio and the floor, with their first layer and where they occur', () => {
    const r = detectMassiveDims(input);
    if (!r.available) throw new Error(r.reason);
    expect(r.thresholds).toEqual({ minRatio: 100, minAbs: 20 });
    expect(r.layers.map((x) => x.dims.map((d) => d.dim))).toEqual([[5], [2], [2]]);
    expect(r.layers[1]!.threshold).toBe(50);
    expect(r.dims.map((d) => [d.dim, d.firstLayer, d.layers])).toEqual([
      [5, 0, [0]],
      [2, 1, [1, 2]],
    ]);
    const d2 = r.dims.find((d) => d.dim === 2)!;
    expect(d2.maxAbs).toBe(300);
    expect(d2.ratio).toBe(600);
    expect(d2.occurrences[0]).toEqual({ value: -300, abs: 300, documentId: 7, position: 0, tokenId: 42 });
    expect(r.layers[2]!.dims[0]!.firstLayer).toBe(1);
  });

  it('the floor and the ratio are options', () => {
    const low = detectMassiveDims(input, { minRatio: 50 });
    if (!low.available) throw new Error(low.reason);
    expect(low.layers[2]!.dims.map((d) => d.dim)).toEqual([2, 4]);
    const floor = detectMassiveDims(input, { minAbs: 100 });
    if (!floor.available) throw new Error(floor.reason);
    expect(floor.dims.map((d) => d.dim)).toEqual([2]);
    // a tiny median: the ratio alone would call 1.0 massive; the floor does not
    const tiny = detectMassiveDims({ ...input, layerMedian: [0.001, 0.001, 0.001] });
    if (!tiny.available) throw new Error(tiny.reason);
    expect(tiny.dims.map((d) => d.dim)).toEqual([5, 2, 4]);
  });

  it('says why it cannot answer without samples or without residual maxima', () => {
    const none = detectMassiveDims({ ...input, layerMedian: null, samples: 0 });
    expect(none.available).toBe(false);
    expect(!none.available && none.reason).toMatch(/re-capture with samples/);
    const old = detectMassiveDims({ ...input, top: null });
    expect(!old.available && old.reason).toMatch(/no residual-stream maxima/);
  });

  it('medianAbs equals the sorted median of |v|, skipping NaN', () => {
    let s = 3;
    const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 20;
    for (const n of [1, 2, 3, 10, 11, 1000, 1001]) {
      const v = Float32Array.from({ length: n }, next);
      const sorted = Array.from(v, Math.abs).sort((a, b) => a - b);
      const want = n % 2 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
      expect(medianAbs(v)).toBe(want);
    }
    expect(medianAbs([NaN, -3, 1, NaN])).toBe(2);
    expect(medianAbs([2, 2, 2, 2])).toBe(2);
    expect(medianAbs([])).toBeNaN();
  });
});

describe('superWeightCandidates', () => {
  const F = 8;
  // layer 1's W_out [D, F]: small everywhere, W[2, 5] = -40
  const w = (l: number) => {
    const data = Float32Array.from({ length: D * F }, (_, i) => 0.01 * ((i % 7) - 3));
    if (l === 1) data[2 * F + 5] = -40;
    return { shape: [D, F], data };
  };
  const peakAbs = Float64Array.from({ length: L * F }, (_, i) => (i === 1 * F + 5 ? 7 : 1 + (i % 3)));

  it('ranks the weights into the dim by |w| x peak |activation| and marks those that can write half its value', () => {
    const [d] = superWeightCandidates({ dims: [{ dim: 2, firstLayer: 1, maxAbs: 300 }], layers: L, neurons: F, dModel: D, wOut: w, peakAbs });
    expect(d!.candidates).toBe(1);
    expect(d!.contributions).toHaveLength(5);
    expect(d!.contributions[0]).toMatchObject({ layer: 1, neuron: 5, dim: 2, weight: -40, peakAbs: 7, contribution: 280, candidate: true });
    expect(d!.contributions[0]!.share).toBeCloseTo(280 / 300, 12);
    expect(d!.contributions.slice(1).every((c) => !c.candidate && c.contribution < 0.1)).toBe(true);
  });

  it('a dim that no single weight can write has no candidate (e.g. made by the embeddings)', () => {
    const [d] = superWeightCandidates({ dims: [{ dim: 3, firstLayer: 0, maxAbs: 300 }], layers: L, neurons: F, dModel: D, wOut: w, peakAbs });
    expect(d!.candidates).toBe(0);
    expect(d!.contributions[0]!.candidate).toBe(false);
  });

  it('checks the W_out layout', () => {
    expect(() => superWeightCandidates({ dims: [{ dim: 0, firstLayer: 0, maxAbs: 1 }], layers: L, neurons: F, dModel: D, wOut: () => ({ shape: [F, D], data: new Float32Array(D * F) }), peakAbs })).toThrow(
      /expected \[6, 8\]/,
    );
  });
});
