import { describe, expect, it } from 'vitest';
import {
  combineMoments,
  ffnNeuronNorms,
  medianNonzeroAbs,
  scanBlockScales,
  type Moments,
  NO_MOMENTS,
  scanTensor,
  shapeOf,
  SMALLEST_NORMAL,
  superWeightCandidates,
  type Tensor,
  unravel,
} from './tensor-scan.js';
import { close, gaussian, prng } from './test-support.js';

/** Float64 two-pass reference over the finite values. */
function twoPass(data: ArrayLike<number>): { n: number; mean: number; std: number; kurtosis: number } {
  const xs = Array.from(data).filter((v) => Number.isFinite(v));
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  let m2 = 0;
  let m4 = 0;
  for (const x of xs) {
    m2 += (x - mean) ** 2;
    m4 += (x - mean) ** 4;
  }
  m2 /= n;
  m4 /= n;
  return { n, mean, std: Math.sqrt(m2), kurtosis: m4 / (m2 * m2) - 3 };
}

function randomTensor(seed: number, shape: number[], f: (z: number, i: number) => number = (z) => z): Tensor {
  const z = gaussian(prng(seed));
  const size = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: size }, (_, i) => f(z(), i)), shape };
}

describe('scanTensor', () => {
  it('finds NaN, +Inf and -Inf with their coordinates, and keeps them out of the statistics', () => {
    const t = randomTensor(1, [5, 7]);
    t.data[3] = NaN; // [0, 3]
    t.data[7 * 2 + 6] = Infinity; // [2, 6]
    t.data[7 * 4] = -Infinity; // [4, 0]
    t.data[7 * 4 + 1] = NaN; // [4, 1]
    const s = scanTensor(t);
    expect(s).toMatchObject({ shape: [5, 7], size: 35, finite: 31, nan: 2, pos_inf: 1, neg_inf: 1, invalid_total: 4 });
    expect(s.invalid).toEqual([
      { index: [0, 3], value: 'nan' },
      { index: [2, 6], value: 'inf' },
      { index: [4, 0], value: '-inf' },
      { index: [4, 1], value: 'nan' },
    ]);
    const ref = twoPass(t.data);
    expect(close(s.mean!, ref.mean, 1e-12)).toBe(true);
    expect(close(s.std!, ref.std, 1e-12)).toBe(true);
    expect(close(s.kurtosis!, ref.kurtosis, 1e-10)).toBe(true);
    const finite = Array.from(t.data).filter(Number.isFinite);
    expect(s.min).toBe(Math.min(...finite));
    expect(s.max).toBe(Math.max(...finite));
  });

  it('caps the list of invalid entries but counts them all', () => {
    const t = randomTensor(2, [100, 50]);
    for (let i = 0; i < t.data.length; i += 3) t.data[i] = i % 2 ? NaN : -Infinity;
    const s = scanTensor(t, { invalidCap: 10 });
    expect(s.invalid).toHaveLength(10);
    expect(s.invalid_total).toBe(Math.ceil(5000 / 3));
    expect(s.nan + s.neg_inf).toBe(s.invalid_total);
    expect(s.invalid[0]).toEqual({ index: [0, 0], value: '-inf' });
    expect(s.invalid[1]).toEqual({ index: [0, 3], value: 'nan' });
    expect(scanTensor(t).invalid).toHaveLength(1000);
    expect(scanTensor(t, { invalidCap: 0 }).invalid).toEqual([]);
  });

  it('counts subnormals by the source dtype', () => {
    const t: Tensor = { data: Float32Array.of(0, 1e-40, -1e-39, 1e-30, 1e-5, -3e-5, 1, -0), shape: [8] };
    const fp32 = scanTensor(t);
    expect(fp32.subnormal).toBe(2); // 1e-40 and -1e-39 are below 2^-126
    expect(fp32.zeros).toBe(2);
    // as fp16 (smallest normal 2^-14 ~ 6.1e-5), 1e-5 and -3e-5 are subnormal too, and so are the
    // tiny fp32 values (an fp16 checkpoint cannot hold them, but the rule is the rule)
    expect(scanTensor(t, { sourceDtype: 'float16' }).subnormal).toBe(5);
    expect(scanTensor(t, { sourceDtype: 'bfloat16' }).subnormal).toBe(2);
    expect(SMALLEST_NORMAL.float16).toBe(6.103515625e-5);
  });

  it('reports the largest |w| with the coordinates of its first occurrence', () => {
    const t: Tensor = { data: Float32Array.of(1, -5, 2, 3, 5, -5), shape: [2, 3] };
    expect(scanTensor(t).max_abs).toEqual({ value: 5, index: [0, 1] });
    const t3 = { data: new Float32Array(24), shape: [2, 3, 4] };
    t3.data[1 * 12 + 2 * 4 + 3] = -7;
    expect(scanTensor(t3).max_abs).toEqual({ value: 7, index: [1, 2, 3] });
  });

  it('is exact to float64 rounding where a naive one-pass formula is not: a large offset', () => {
    // norm gains: ~1 with a tiny spread; and an offset of 1e4 with spread 1
    for (const [offset, spread] of [
      [1, 1e-3],
      [1e4, 1],
    ] as const) {
      const t = randomTensor(3, [300, 301], (z) => offset + spread * z);
      const s = scanTensor(t);
      const ref = twoPass(t.data);
      expect(close(s.mean!, ref.mean, 1e-14)).toBe(true);
      expect(close(s.std!, ref.std, 1e-9)).toBe(true);
      expect(close(s.kurtosis!, ref.kurtosis, 1e-7, 1e-9)).toBe(true);
    }
  });

  it('gives the known kurtosis of known distributions', () => {
    const r = prng(4);
    expect(scanTensor(randomTensor(5, [1000, 500])).kurtosis!).toBeCloseTo(0, 1);
    const u = { data: Float32Array.from({ length: 500_000 }, () => r()), shape: [500_000] };
    expect(scanTensor(u).kurtosis!).toBeCloseTo(-1.2, 2);
  });

  it('handles chunk boundaries, whole chunks of NaN, and a size that is not a multiple of the chunk', () => {
    const t = randomTensor(6, [3, 5000]);
    for (let i = 4096; i < 8192; i++) t.data[i] = NaN;
    const s = scanTensor(t, { invalidCap: 5 });
    expect(s.nan).toBe(4096);
    expect(s.finite).toBe(15000 - 4096);
    expect(s.invalid[0]).toEqual({ index: [0, 4096], value: 'nan' });
    const ref = twoPass(t.data);
    expect(close(s.std!, ref.std, 1e-12)).toBe(true);
    expect(close(s.kurtosis!, ref.kurtosis, 1e-10)).toBe(true);
  });

  it('returns nulls where nothing is defined', () => {
    const empty = scanTensor({ data: new Float32Array(0), shape: [0, 4] });
    expect(empty).toMatchObject({ size: 0, finite: 0, min: null, max: null, mean: null, std: null, kurtosis: null, max_abs: null, invalid: [] });
    const nan = scanTensor({ data: Float32Array.of(NaN, NaN), shape: [2] });
    expect(nan).toMatchObject({ finite: 0, nan: 2, mean: null, max_abs: null });
    const constant = scanTensor({ data: new Float32Array(10).fill(0.5), shape: [10] });
    expect(constant).toMatchObject({ mean: 0.5, std: 0, kurtosis: null, min: 0.5, max: 0.5 });
    expect(scanTensor({ data: Float32Array.of(3), shape: [] })).toMatchObject({ mean: 3, std: 0, kurtosis: null, max_abs: { value: 3, index: [] } });
  });

  it('refuses a shape that does not match the data', () => {
    expect(() => scanTensor({ data: new Float32Array(6), shape: [2, 4] })).toThrow(/shape \[2, 4\] holds 8 values but the data has 6/);
    expect(() => scanTensor({ data: new Float32Array(6), shape: [2, -3] })).toThrow(/bad dimension -3/);
    expect(() => scanTensor({ data: new Float32Array(6), shape: [6] }, { invalidCap: -1 })).toThrow(/invalidCap/);
  });
});

describe('moments', () => {
  it('combine associatively into the moments of the union', () => {
    const r = gaussian(prng(8));
    const parts = [10, 1, 250, 37].map((n, k) => Array.from({ length: n }, () => 3 * k + r() * (k + 1)));
    const momentsOf = (xs: number[]): Moments => {
      const n = xs.length;
      const mean = xs.reduce((a, b) => a + b, 0) / n;
      return {
        n,
        mean,
        m2: xs.reduce((a, x) => a + (x - mean) ** 2, 0),
        m3: xs.reduce((a, x) => a + (x - mean) ** 3, 0),
        m4: xs.reduce((a, x) => a + (x - mean) ** 4, 0),
      };
    };
    const whole = momentsOf(parts.flat());
    const m = parts.map(momentsOf);
    const left = m.reduce(combineMoments, NO_MOMENTS);
    const tree = combineMoments(combineMoments(m[2]!, m[0]!), combineMoments(m[3]!, m[1]!));
    for (const got of [left, tree]) {
      expect(got.n).toBe(whole.n);
      for (const k of ['mean', 'm2', 'm3', 'm4'] as const) expect(close(got[k], whole[k], 1e-10), k).toBe(true);
    }
    expect(combineMoments(NO_MOMENTS, m[0]!)).toBe(m[0]);
    expect(shapeOf(NO_MOMENTS)).toEqual({ std: null, kurtosis: null });
  });
});

describe('unravel', () => {
  it('turns a row-major flat index into coordinates', () => {
    expect(unravel(0, [3, 4])).toEqual([0, 0]);
    expect(unravel(7, [3, 4])).toEqual([1, 3]);
    expect(unravel(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(unravel(5, [9])).toEqual([5]);
  });
});

describe('ffnNeuronNorms', () => {
  const F = 6;
  const D = 4;
  const win = randomTensor(10, [F, D]);
  const gate = randomTensor(11, [F, D]);
  const wout = randomTensor(12, [D, F]);

  it('gives the norm of each neuron\'s key row and value column', () => {
    const n = ffnNeuronNorms({ in: win, gate, out: wout });
    for (let f = 0; f < F; f++) {
      let k = 0;
      let g = 0;
      let v = 0;
      for (let d = 0; d < D; d++) {
        k += win.data[f * D + d]! ** 2;
        g += gate.data[f * D + d]! ** 2;
        v += wout.data[d * F + f]! ** 2;
      }
      expect(n.key[f]).toBeCloseTo(Math.sqrt(k), 12);
      expect(n.gate![f]).toBeCloseTo(Math.sqrt(g), 12);
      expect(n.value[f]).toBeCloseTo(Math.sqrt(v), 12);
    }
    expect(ffnNeuronNorms({ in: win, out: wout }).gate).toBeNull();
  });

  it('shows a NaN weight as a NaN norm of that neuron only', () => {
    const bad = { data: wout.data.slice(), shape: wout.shape };
    bad.data[2 * F + 3] = NaN;
    const n = ffnNeuronNorms({ in: win, out: bad });
    expect(Number.isNaN(n.value[3]!)).toBe(true);
    expect(Array.from(n.value).filter(Number.isNaN)).toHaveLength(1);
  });

  it('refuses mismatched shapes', () => {
    expect(() => ffnNeuronNorms({ in: win, out: win })).toThrow(/W_out is \[6, 4\] but W_in \[6, 4\] needs \[4, 6\]/);
    expect(() => ffnNeuronNorms({ in: win, gate: wout, out: wout })).toThrow(/W_gate is \[4, 6\], expected \[6, 4\]/);
    expect(() => ffnNeuronNorms({ in: { data: new Float32Array(24), shape: [24] }, out: wout })).toThrow(/W_in should be a matrix/);
  });
});

describe('medianNonzeroAbs', () => {
  it('is the exact median of the nonzero finite |x|, odd and even counts, many in one bin', () => {
    const r = prng(13);
    for (const n of [1, 2, 3, 10, 101, 4000, 4001]) {
      const data = Float32Array.from({ length: n }, () => (r() < 0.2 ? 0 : (r() - 0.5) * (r() < 0.5 ? 1 : 1 + 1e-3 * r())));
      data[0] = NaN;
      if (n > 2) data[1] = -Infinity;
      const kept = Array.from(data)
        .filter((v) => Number.isFinite(v) && v !== 0)
        .map(Math.abs)
        .sort((a, b) => a - b);
      const want = kept.length === 0 ? null : kept.length % 2 ? kept[kept.length >> 1]! : (kept[kept.length / 2 - 1]! + kept[kept.length / 2]!) / 2;
      expect(medianNonzeroAbs(data), `n=${n}`).toBe(want);
    }
  });

  it('works on a view into a larger buffer', () => {
    const buf = Float32Array.of(100, 100, 1, -2, 3, 100);
    expect(medianNonzeroAbs(buf.subarray(2, 5))).toBe(2);
  });
});

describe('superWeightCandidates', () => {
  const D = 64;
  const F = 256;
  const planted: [number, number, number][] = [
    [3, 200, 2.5],
    [60, 7, -4],
    [17, 17, 1.2],
  ];
  const wout = randomTensor(14, [D, F], (z) => 0.02 * z);
  for (const [d, f, v] of planted) wout.data[d * F + f] = v;

  it('finds exactly the planted outliers, largest first, with [d, f] coordinates', () => {
    const s = superWeightCandidates(wout);
    expect(s.rule).toBe('|w| >= 50 x median nonzero |w|');
    expect(s.typical_abs).toBeCloseTo(0.02 * 0.6745, 3);
    expect(s.total).toBe(3);
    expect(s.candidates.map((c) => [...c.index, c.value])).toEqual([
      [60, 7, -4],
      [3, 200, 2.5],
      [17, 17, Math.fround(1.2)],
    ]);
    expect(s.candidates[0]!.neuron).toBe(7);
    expect(s.candidates[0]!.ratio).toBeCloseTo(4 / s.typical_abs!, 9);
    expect(s.threshold).toBe(50 * s.typical_abs!);
  });

  it('the ratio and the limit change the list as stated', () => {
    // 1.2 / 0.0135 ~ 89: a ratio of 100 drops it
    expect(superWeightCandidates(wout, { ratio: 100 }).candidates.map((c) => c.index)).toEqual([
      [60, 7],
      [3, 200],
    ]);
    const limited = superWeightCandidates(wout, { limit: 1 });
    expect(limited.total).toBe(3);
    expect(limited.candidates.map((c) => c.index)).toEqual([[60, 7]]);
    expect(superWeightCandidates(wout, { limit: 0 }).candidates).toEqual([]);
    // a permissive ratio admits the Gaussian bulk's tail too, each entry measured
    const loose = superWeightCandidates(wout, { ratio: 4, limit: 1000 });
    const want = Array.from(wout.data).filter((v) => Math.abs(v) >= 4 * loose.typical_abs!).length;
    expect(loose.total).toBe(want);
    expect(loose.candidates).toHaveLength(want);
    const mags = loose.candidates.map((c) => Math.abs(c.value));
    expect(mags).toEqual([...mags].sort((a, b) => b - a));
  });

  it('ignores zeros (pruned weights), NaN and Inf; ties go to the lower index', () => {
    const data = new Float32Array(4 * 4); // mostly zeros, as in a pruned matrix
    data.set([0.01, -0.01, 0.02, 0.01, 0.02], 0);
    data[9] = 5;
    data[6] = -5;
    data[12] = NaN;
    data[13] = Infinity;
    const s = superWeightCandidates({ data, shape: [4, 4] });
    expect(s.typical_abs).toBe(Math.fround(0.02));
    expect(s.candidates.map((c) => c.index)).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(superWeightCandidates({ data: new Float32Array(4), shape: [2, 2] })).toMatchObject({ typical_abs: null, total: 0, candidates: [] });
  });

  it('checks its arguments', () => {
    expect(() => superWeightCandidates({ data: new Float32Array(4), shape: [4] })).toThrow(/should be a matrix/);
    expect(() => superWeightCandidates(wout, { ratio: 0 })).toThrow(/ratio must be a positive number/);
    expect(() => superWeightCandidates(wout, { limit: 1.5 })).toThrow(/limit must be a non-negative integer/);
  });
});

describe('scanBlockScales', () => {
  it('gives the |d| range, the largest block with the elements it covers, and its ratio to the median', () => {
    // shape [2, 8] in blocks of 4: block 3 is row 1, columns 4..7
    const s = scanBlockScales([0.5, -1, 1, -8], 4, [2, 8]);
    expect(s).toEqual({ blockSize: 4, blocks: 4, nonFinite: 0, min: 0.5, median: 1, max: 8, maxBlock: { index: 3, d: -8, start: [1, 4], end: [1, 7], ratio: 8 } });
  });

  it('leaves NaN/Inf scales out of the statistics and counts them', () => {
    const s = scanBlockScales([NaN, 2, Infinity, 2], 32, [4, 32]);
    expect(s.nonFinite).toBe(2);
    expect(s.maxBlock).toMatchObject({ index: 1, start: [1, 0], end: [1, 31], ratio: 1 });
    expect(scanBlockScales([NaN], 32, [32]).maxBlock).toBeNull();
    expect(scanBlockScales([0, 0, 3], 1, [3]).maxBlock?.ratio).toBeNull();
  });

  it('refuses scales that do not cover the shape', () => {
    expect(() => scanBlockScales([1, 2], 32, [3, 32])).toThrow(/2 blocks of 32 cover 64 elements but shape \[3, 32\] holds 96/);
  });
});
