// Exact kNN through onnxruntime against brute force in float64, on random rows (float32 and the
// sample store's float16 bits, far from the origin, with duplicates), and TwoNN on all points.
// (Timeouts are generous: the suite may share a loaded machine.)
import { describe, expect, it } from 'vitest';
import { fromHalf, toHalf } from '../../../common/half.js';
import { twoNn } from '../../analysis/twonn.js';
import { linearSubspace } from '../../analysis/synthetic.js';
import { gaussian, prng } from '../../analysis/test-support.js';
import { exactKnn, nearestAmong } from './knn.js';
import { knnIntrinsic } from './knn-intrinsic.js';
import { arraySource } from './row-source.js';

/** Each query's k nearest rows by float64 brute force (ties by index), skipping the query itself when `self`. */
function bruteForce(x: ArrayLike<number>, n: number, d: number, q: ArrayLike<number>, m: number, k: number, self: boolean) {
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < m; i++) {
    const all: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) {
      if (self && j === i) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += (q[i * d + c]! - x[j * d + c]!) ** 2;
      all.push([s, j]);
    }
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    indices.push(all.slice(0, k).map((a) => a[1]));
    distances.push(all.slice(0, k).map((a) => Math.sqrt(a[0])));
  }
  return { indices, distances };
}

function randomRows(n: number, d: number, seed: number, offset: number): Float32Array {
  const g = gaussian(prng(seed));
  return Float32Array.from({ length: n * d }, (_, i) => offset * ((i % d) % 3) + g());
}

describe('exact kNN through onnxruntime', () => {
  it('equals brute force on random float32 rows, with a duplicated row', async () => {
    const n = 1500;
    const d = 24;
    const k = 15;
    const x = randomRows(n, d, 1, 50);
    x.copyWithin(7 * d, 3 * d, 4 * d); // row 7 duplicates row 3
    const got = await exactKnn(x, n, d, k, { threads: 2 });
    const want = bruteForce(x, n, d, x, n, k, true);
    for (let i = 0; i < n; i++) {
      expect(Array.from(got.indices.subarray(i * k, (i + 1) * k))).toEqual(want.indices[i]);
      for (let r = 0; r < k; r++) expect(got.distances[i * k + r]!).toBeCloseTo(want.distances[i]![r]!, 9);
    }
    expect(got.indices[3 * k]).toBe(7);
    expect(got.distances[3 * k]).toBe(0);
  }, 300_000);

  // the graph ranks references in chunks of RANK_CHUNK (64): whole chunks only, and fewer chunks than neighbours asked
  for (const [n, k] of [[640, 15], [40, 20]] as const) {
    it(`equals brute force with ${n} rows and k = ${k} (${Math.ceil(n / 64)} chunk(s) of 64)`, async () => {
      const d = 16;
      const x = randomRows(n, d, n, 5);
      const got = await exactKnn(x, n, d, k, { threads: 2 });
      const want = bruteForce(x, n, d, x, n, k, true);
      for (let i = 0; i < n; i++) expect(Array.from(got.indices.subarray(i * k, (i + 1) * k))).toEqual(want.indices[i]);
    }, 300_000);
  }

  it('equals brute force on float16 bits (as the sample store keeps them), more rows than one query block', async () => {
    const n = 2100; // one query block holds 2,048
    const d = 64;
    const k = 2;
    const half = Uint16Array.from(randomRows(n, d, 2, 20), toHalf);
    const values = Float32Array.from(half, fromHalf);
    const got = await exactKnn(half, n, d, k, { threads: 2 });
    const want = bruteForce(values, n, d, values, n, k, true);
    for (let i = 0; i < n; i++) expect(Array.from(got.indices.subarray(i * k, (i + 1) * k))).toEqual(want.indices[i]);
  }, 300_000);

  it('finds the nearest rows to other queries (placing new points)', async () => {
    const n = 800;
    const m = 100;
    const d = 16;
    const k = 10;
    const x = randomRows(n, d, 3, 5);
    const q = randomRows(m, d, 4, 5);
    const got = await nearestAmong(x, n, d, q, m, k, { threads: 2 });
    const want = bruteForce(x, n, d, q, m, k, false);
    for (let i = 0; i < m; i++) expect(Array.from(got.indices.subarray(i * k, (i + 1) * k))).toEqual(want.indices[i]);
  }, 300_000);

  it('refuses k outside 1..n-1 with the range', async () => {
    await expect(exactKnn(new Float32Array(6), 3, 2, 3)).rejects.toThrow(/k must be an integer in 1\.\.2/);
  }, 300_000);

  it('TwoNN on all points equals the brute-force TwoNN', async () => {
    const n = 2500;
    const d = 96;
    const x = Float32Array.from(Uint16Array.from(linearSubspace(n, 5, d, 0.01, 9), toHalf), fromHalf);
    const est = await knnIntrinsic(arraySource(Uint16Array.from(x, toHalf), n, d), { threads: 2 });
    const want = twoNn(x, n, d);
    expect(est.points).toBe(n);
    expect(est.twonn).toBeCloseTo(want.dimension, 6);
    expect(Math.abs(est.twonn - 5) / 5).toBeLessThan(0.15);
    expect(est.pca90).toBeGreaterThanOrEqual(4);
    expect(est.pca90).toBeLessThanOrEqual(5);
  }, 300_000);
});
