import { describe, expect, it } from 'vitest';
import {
  activeFractionHistogram,
  addBatch,
  emptyStats,
  GRAPH_OUTPUTS,
  KURTOSIS_MIN_RELATIVE_VARIANCE,
  merge,
  type NeuronStats,
  type OutputTensor,
  type StatsBatch,
  statsBatchFromOutputs,
  summarize,
  summaryRow,
} from './neuron-stats.js';
import { close, gaussian, prng, reduceBatch, reference } from './test-support.js';

const L = 3;
const F = 8;

/** Random activations for `batches` batches of `m` tokens: per batch, per layer [m, F]. */
function randomBatches(seed: number, batches: number, m: number): Float32Array[][] {
  const r = prng(seed);
  const z = gaussian(r);
  const scale = Array.from({ length: L * F }, () => 0.2 + 2 * r());
  const shift = Array.from({ length: L * F }, () => r() - 0.5);
  return Array.from({ length: batches }, () =>
    Array.from({ length: L }, (_, l) => {
      const a = new Float32Array(m * F);
      for (let t = 0; t < m; t++) {
        for (let f = 0; f < F; f++) {
          const i = l * F + f;
          // a mix of shapes: ReLU-like, Gaussian, and a skewed one
          const x = shift[i]! + scale[i]! * z();
          a[t * F + f] = f % 3 === 0 ? Math.max(0, x) : f % 3 === 1 ? x : x * Math.abs(x);
        }
      }
      return a;
    }),
  );
}

function accumulate(batches: readonly StatsBatch[], threshold = 0): NeuronStats {
  const acc = emptyStats(L, F, { fireThreshold: threshold });
  for (const b of batches) addBatch(acc, b);
  return acc;
}

/** All values of neuron (l, f) across the batches, in order. */
function valuesOf(acts: readonly Float32Array[][], l: number, f: number): Float64Array {
  const out: number[] = [];
  for (const batch of acts) {
    const a = batch[l]!;
    for (let t = 0; t < a.length / F; t++) out.push(a[t * F + f]!);
  }
  return Float64Array.from(out);
}

function expectSameExact(a: NeuronStats, b: NeuronStats): void {
  expect(Array.from(a.count)).toEqual(Array.from(b.count));
  expect(Array.from(a.min)).toEqual(Array.from(b.min));
  expect(Array.from(a.max)).toEqual(Array.from(b.max));
  expect(Array.from(a.fire)).toEqual(Array.from(b.fire));
  expect(a.activeHist === null).toBe(b.activeHist === null);
  if (a.activeHist && b.activeHist) expect(Array.from(a.activeHist)).toEqual(Array.from(b.activeHist));
}

function expectSumsClose(a: NeuronStats, b: NeuronStats, rel: number): void {
  for (const key of ['sum', 'sumsq', 'sumAbs', 'sumCube', 'sumQuart'] as const) {
    const x = a[key];
    const y = b[key];
    expect(x === null, key).toBe(y === null);
    if (!x || !y) continue;
    for (let i = 0; i < x.length; i++) {
      if (!close(x[i]!, y[i]!, rel)) expect.fail(`${key}[${i}]: ${x[i]} vs ${y[i]}`);
    }
  }
}

/** Every permutation of 0..n-1 (n small). */
function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

describe('emptyStats', () => {
  it('holds no tokens, and summarizes to undefined values', () => {
    const acc = emptyStats(L, F);
    expect(acc.fireThreshold).toBe(0);
    expect(Array.from(acc.count)).toEqual([0, 0, 0]);
    const s = summarize(acc);
    expect(Number.isNaN(s.mean[0]!)).toBe(true);
    expect(Number.isNaN(s.kurtosis![0]!)).toBe(true);
    expect(summaryRow(s, 0, 0)).toMatchObject({ tokens: 0, mean: null, std: null, fire_rate: null, kurtosis: null, fire_count: 0 });
  });

  it('refuses bad shapes and thresholds', () => {
    expect(() => emptyStats(0, 4)).toThrow(/layers must be a positive integer/);
    expect(() => emptyStats(2, 1.5)).toThrow(/neurons must be a positive integer/);
    expect(() => emptyStats(2, 2, { fireThreshold: NaN })).toThrow(/fireThreshold must be finite/);
  });
});

describe('addBatch and summarize', () => {
  const acts = randomBatches(1, 4, 250);
  const batches = acts.map((a) => reduceBatch(a, F, 0));
  const acc = accumulate(batches);
  const s = summarize(acc);

  it('matches a float64 reference over the raw activations', () => {
    expect(Array.from(s.tokens)).toEqual([1000, 1000, 1000]);
    for (let l = 0; l < L; l++) {
      for (let f = 0; f < F; f++) {
        const ref = reference(valuesOf(acts, l, f));
        const row = summaryRow(s, l, f);
        // The batch sums are float32 (as the graph's are): ~1e-7 relative each.
        expect(close(row.mean!, ref.mean, 1e-5, 1e-6), `mean ${l},${f}`).toBe(true);
        expect(close(row.std!, ref.std, 1e-4), `std ${l},${f}`).toBe(true);
        expect(row.min).toBe(ref.min);
        expect(row.max).toBe(ref.max);
        expect(close(row.mean_abs!, ref.meanAbs, 1e-5)).toBe(true);
        expect(row.fire_rate).toBe(ref.fireRate);
        expect(row.fire_count).toBe(Math.round(ref.fireRate * 1000));
        expect(close(row.kurtosis!, ref.kurtosis, 1e-3, 1e-3), `kurtosis ${l},${f}: ${row.kurtosis} vs ${ref.kurtosis}`).toBe(true);
        expect(row.peak_abs).toBe(Math.max(Math.abs(ref.min), Math.abs(ref.max)));
      }
    }
  });

  it('gives the max/median-of-layer peak ratio', () => {
    for (let l = 0; l < L; l++) {
      const peaks = Array.from(s.peakAbs.subarray(l * F, (l + 1) * F)).sort((a, b) => a - b);
      const med = (peaks[F / 2 - 1]! + peaks[F / 2]!) / 2;
      expect(s.layerMedianPeak[l]).toBe(med);
      for (let f = 0; f < F; f++) expect(s.peakRatio[l * F + f]).toBe(s.peakAbs[l * F + f]! / med);
    }
  });

  it('gives the mean fraction of the layer active per token and its histogram', () => {
    for (let l = 0; l < L; l++) {
      let fired = 0;
      for (let f = 0; f < F; f++) fired += s.fireCount[l * F + f]!;
      expect(s.meanActiveFraction[l]).toBeCloseTo(fired / (1000 * F), 12);
      // the exact per-token histogram agrees with the fire counts: sum over c of c * tokens(c) = fires
      let viaHist = 0;
      for (let c = 0; c <= F; c++) viaHist += c * acc.activeHist![l * (F + 1) + c]!;
      expect(viaHist).toBe(fired);
      const h = activeFractionHistogram(acc, l, 4)!;
      expect(h.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
      expect(h.tokens).toBe(1000);
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(1000);
      // c active of 8: bins [0,2), [2,4), [4,6), [6,8]
      const byC = (c: number): number => acc.activeHist![l * (F + 1) + c]!;
      expect(h.counts[0]).toBe(byC(0) + byC(1));
      expect(h.counts[3]).toBe(byC(6) + byC(7) + byC(8));
    }
  });

  it('takes the graph outputs as the runtime returns them (BigInt64Array counts, Float32Array values)', () => {
    const b = batches[0]!;
    const out: Record<string, OutputTensor> = {
      [GRAPH_OUTPUTS.count]: { data: b.count as BigInt64Array, dims: [L] },
      [GRAPH_OUTPUTS.sum]: { data: b.sum as Float32Array, dims: [L, F] },
      [GRAPH_OUTPUTS.sumsq]: { data: b.sumsq as Float32Array, dims: [L, F] },
      [GRAPH_OUTPUTS.min]: { data: b.min as Float32Array, dims: [L, F] },
      [GRAPH_OUTPUTS.max]: { data: b.max as Float32Array, dims: [L, F] },
      [GRAPH_OUTPUTS.fireCount]: { data: b.fireCount as BigInt64Array, dims: [L, F] },
    };
    const viaOutputs = addBatch(emptyStats(L, F), statsBatchFromOutputs(out));
    const plain = addBatch(emptyStats(L, F), { ...b, sumAbs: undefined, sumCube: undefined, sumQuart: undefined, activeCount: undefined });
    expectSameExact(viaOutputs, plain);
    expectSumsClose(viaOutputs, plain, 0);
    // the extra outputs, when the graph has them
    const full = statsBatchFromOutputs({
      ...out,
      [GRAPH_OUTPUTS.sumAbs]: { data: b.sumAbs as Float32Array, dims: [L, F] },
      [GRAPH_OUTPUTS.sumCube]: { data: b.sumCube as Float32Array, dims: [L, F] },
      [GRAPH_OUTPUTS.sumQuart]: { data: b.sumQuart as Float32Array, dims: [L, F] },
      [GRAPH_OUTPUTS.activeCount]: { data: b.activeCount as BigInt64Array, dims: [L, 250] },
    });
    expect(full.sumAbs).toBe(b.sumAbs);
    expect(full.activeCount).toBe(b.activeCount);
    const { [GRAPH_OUTPUTS.fireCount]: _, ...missing } = out;
    expect(() => statsBatchFromOutputs(missing)).toThrow(/lack stats_fire_count/);
    expect(() => statsBatchFromOutputs({ ...out, [GRAPH_OUTPUTS.sum]: { data: new BigInt64Array(L * F), dims: [L, F] } })).toThrow(/stats_sum should be float32/);
  });

  it('accepts plain number arrays', () => {
    const acc2 = addBatch(emptyStats(1, 2), { count: [2], sum: [1, -4], sumsq: [1, 10], min: [0, -3], max: [1, -1], fireCount: [1, 0] });
    const s2 = summarize(acc2);
    expect(Array.from(s2.mean)).toEqual([0.5, -2]);
    expect(Array.from(s2.std)).toEqual([0.5, 1]);
    expect(Array.from(s2.fireRate)).toEqual([0.5, 0]);
    expect(s2.meanAbs).toBeNull();
    expect(s2.kurtosis).toBeNull();
  });

  it('leaves a layer alone when a batch reduced no tokens in it', () => {
    const acc2 = addBatch(emptyStats(2, 1), { count: [1, 0], sum: [2, 0], sumsq: [4, 0], min: [2, 3.4e38], max: [2, -3.4e38], fireCount: [1, 0] });
    expect(Array.from(acc2.count)).toEqual([1, 0]);
    expect(acc2.min[1]).toBe(Infinity);
    expect(acc2.max[1]).toBe(-Infinity);
    expect(acc2.sum[1]).toBe(0);
  });

  it('keeps NaN activations visible', () => {
    const acc2 = addBatch(emptyStats(1, 1), { count: [2], sum: [NaN], sumsq: [NaN], min: [NaN], max: [NaN], fireCount: [0] });
    addBatch(acc2, { count: [1], sum: [1], sumsq: [1], min: [1], max: [1], fireCount: [1] });
    const row = summaryRow(summarize(acc2), 0, 0);
    expect(row.mean).toBeNull();
    expect(row.max).toBeNull();
  });

  it('refuses malformed batches and leaves the accumulator untouched', () => {
    const acc2 = accumulate(batches.slice(0, 1));
    const before = structuredClone(acc2);
    const b = batches[1]!;
    expect(() => addBatch(acc2, { ...b, count: [250, 250] })).toThrow(/count has 2 values, expected 3/);
    expect(() => addBatch(acc2, { ...b, sum: new Float32Array(5) })).toThrow(/sum has 5 values, expected 24/);
    expect(() => addBatch(acc2, { ...b, sumCube: new Float32Array(5) })).toThrow(/sumCube has 5 values/);
    expect(() => addBatch(acc2, { ...b, count: [250, -1, 250] })).toThrow(/count\[1\] = -1 is not a count/);
    expect(() => addBatch(acc2, { ...b, count: [250, 2.5, 250] })).toThrow(/is not a count/);
    const tooMany = BigInt64Array.from(b.fireCount as BigInt64Array);
    tooMany[9] = 251n;
    expect(() => addBatch(acc2, { ...b, fireCount: tooMany })).toThrow(/fireCount\[1, 1\] = 251 exceeds the layer's 250 tokens/);
    expect(() => addBatch(acc2, { ...b, count: [250, 250, 249], fireCount: new BigInt64Array(L * F), activeCount: new BigInt64Array(L * 250) })).toThrow(
      /same token count in every layer/,
    );
    const badActive = BigInt64Array.from(b.activeCount as BigInt64Array);
    badActive[7] = BigInt(F + 1);
    expect(() => addBatch(acc2, { ...b, activeCount: badActive })).toThrow(/activeCount\[0, 7\] = 9 exceeds the layer's 8 neurons/);
    expect(acc2).toEqual(before);
  });
});

describe('merge', () => {
  const acts = randomBatches(2, 8, 97);
  const batches = acts.map((a) => reduceBatch(a, F, 0));
  const whole = accumulate(batches);

  it('is commutative, bit for bit', () => {
    const a = accumulate(batches.slice(0, 3));
    const b = accumulate(batches.slice(3));
    const ab = merge(a, b);
    const ba = merge(b, a);
    expectSameExact(ab, ba);
    expectSumsClose(ab, ba, 0);
  });

  it('merges shards, in any order and grouping, into the statistics of the whole', () => {
    // four shards of uneven size
    const cuts = [0, 1, 4, 5, 8];
    const shards = cuts.slice(0, -1).map((c, i) => accumulate(batches.slice(c, cuts[i + 1])));
    for (const order of permutations(4)) {
      const s = order.map((i) => shards[i]!);
      const leftFold = s.reduce((x, y) => merge(x, y));
      const tree = merge(merge(s[0]!, s[1]!), merge(s[2]!, s[3]!));
      const rightFold = s.reduceRight((x, y) => merge(y, x));
      for (const m of [leftFold, tree, rightFold]) {
        expectSameExact(m, whole);
        expectSumsClose(m, whole, 1e-9);
      }
    }
  });

  it('merges shards whose batches were shuffled between them', () => {
    const r = prng(7);
    const order = batches.map((_, i) => i).sort(() => r() - 0.5);
    const a = accumulate(order.slice(0, 5).map((i) => batches[i]!));
    const b = accumulate(order.slice(5).map((i) => batches[i]!));
    const m = merge(a, b);
    expectSameExact(m, whole);
    expectSumsClose(m, whole, 1e-9);
  });

  it('has the empty statistics as identity, and leaves its inputs alone', () => {
    const copy = structuredClone(whole);
    const m = merge(emptyStats(L, F), whole);
    expectSameExact(m, whole);
    expectSumsClose(m, whole, 0);
    expect(whole).toEqual(copy);
    expect(m.sum).not.toBe(whole.sum);
  });

  it('keeps an optional total only when both sides have it', () => {
    const lacking = accumulate(acts.slice(0, 2).map((a) => reduceBatch(a, F, 0, { abs: true })));
    expect(lacking.sumCube).toBeNull();
    expect(lacking.activeHist).toBeNull();
    expect(lacking.sumAbs).not.toBeNull();
    const m = merge(whole, lacking);
    expect(m.sumCube).toBeNull();
    expect(m.sumQuart).toBeNull();
    expect(m.activeHist).toBeNull();
    expect(m.sumAbs).not.toBeNull();
    const s = summarize(m);
    expect(s.kurtosis).toBeNull();
    expect(s.meanAbs).not.toBeNull();
    expect(activeFractionHistogram(m, 0)).toBeNull();
  });

  it('drops an optional total as soon as one batch lacks it', () => {
    const acc = accumulate(batches.slice(0, 2));
    expect(acc.sumQuart).not.toBeNull();
    addBatch(acc, reduceBatch(acts[2]!, F, 0, {}));
    expect(acc.sumAbs).toBeNull();
    expect(acc.sumQuart).toBeNull();
    addBatch(acc, batches[3]!);
    expect(acc.sumQuart).toBeNull();
  });

  it('refuses statistics of other shapes or firing thresholds', () => {
    expect(() => merge(emptyStats(2, 3), emptyStats(3, 2))).toThrow(/cannot merge 2x3 statistics with 3x2/);
    expect(() => merge(emptyStats(2, 3), emptyStats(2, 3, { fireThreshold: 0.5 }))).toThrow(/firing thresholds 0 and 0.5/);
  });

  it('a resumed accumulation (stored, reloaded, continued) is identical to an uninterrupted one', () => {
    const partial = accumulate(batches.slice(0, 3));
    const reloaded = structuredClone(partial);
    for (const b of batches.slice(3)) addBatch(reloaded, b);
    expect(reloaded).toEqual(whole);
  });
});

describe('kurtosis', () => {
  function kurtosisOf(values: Float32Array): number {
    const acc = emptyStats(1, 1);
    addBatch(acc, reduceBatch([values], 1, 0));
    return summarize(acc).kurtosis![0]!;
  }

  it('is about 0 for a Gaussian, -1.2 for a uniform, 3 for a Laplace', () => {
    const r = prng(3);
    const z = gaussian(r);
    const n = 200_000;
    const g = Float32Array.from({ length: n }, () => z());
    const u = Float32Array.from({ length: n }, () => r());
    const lap = Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * Math.log(1 - r()));
    expect(kurtosisOf(g)).toBeCloseTo(0, 1);
    expect(kurtosisOf(u)).toBeCloseTo(-1.2, 1);
    expect(Math.abs(kurtosisOf(lap) - 3)).toBeLessThan(0.3);
  });

  it('is about 1/p for a neuron that fires on a fraction p of tokens', () => {
    const n = 100_000;
    const v = new Float32Array(n);
    for (let i = 0; i < n; i += 200) v[i] = 1; // p = 0.005
    const p = 0.005;
    // Bernoulli(p): excess kurtosis (1 - 6p(1-p)) / (p(1-p))
    expect(kurtosisOf(v)).toBeCloseTo((1 - 6 * p * (1 - p)) / (p * (1 - p)), 6);
  });

  it('is NaN for a constant neuron and where the variance is too small to resolve the 4th moment', () => {
    expect(Number.isNaN(kurtosisOf(new Float32Array(100).fill(0)))).toBe(true);
    expect(Number.isNaN(kurtosisOf(new Float32Array(100).fill(-0.17)))).toBe(true);
    const r = gaussian(prng(4));
    // std 1e-3 around 1: variance / E[x^2] = 1e-6, below the limit
    expect(1e-6).toBeLessThan(KURTOSIS_MIN_RELATIVE_VARIANCE);
    expect(Number.isNaN(kurtosisOf(Float32Array.from({ length: 1000 }, () => 1 + 1e-3 * r())))).toBe(true);
    // std 0.5 around 1: resolvable, and about Gaussian
    expect(kurtosisOf(Float32Array.from({ length: 100_000 }, () => 1 + 0.5 * r()))).toBeCloseTo(0, 1);
  });
});

describe('summaryRow and activeFractionHistogram', () => {
  it('check their arguments', () => {
    const s = summarize(emptyStats(2, 3));
    expect(() => summaryRow(s, 2, 0)).toThrow(/layer 2 is not in 0..1/);
    expect(() => summaryRow(s, 0, -1)).toThrow(/neuron -1 is not in 0..2/);
    expect(() => activeFractionHistogram(emptyStats(2, 3), 5)).toThrow(/layer 5/);
    expect(() => activeFractionHistogram(emptyStats(2, 3), 0, 0)).toThrow(/bins must be a positive integer/);
  });

  it('puts a fully active token in the last bin and an idle one in the first', () => {
    const acc = addBatch(emptyStats(1, 4), {
      count: [3],
      sum: [0, 0, 0, 0],
      sumsq: [0, 0, 0, 0],
      min: [0, 0, 0, 0],
      max: [1, 1, 1, 1],
      fireCount: [2, 1, 1, 1],
      activeCount: [0, 4, 1],
    });
    expect(activeFractionHistogram(acc, 0, 2)).toEqual({ edges: [0, 0.5, 1], counts: [2, 1], tokens: 3 });
    expect(activeFractionHistogram(acc, 0, 4)!.counts).toEqual([1, 1, 0, 1]);
  });
});
