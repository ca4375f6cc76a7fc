// The streamed PCA (block products in onnxruntime, float64 finish) against the exact JS PCA of
// the same rows: explained variance per axis within 1%, coordinates equal up to sign, on a
// 20,000-row set kept as float16 bits like the sample store keeps it, far from the origin.
// (Timeouts are generous: the suite may share a loaded machine.)
import { afterAll, describe, expect, it } from 'vitest';
import { fromHalf, toHalf } from '../../../common/half.js';
import { BlockProducts } from '../../../native-models/runtime/dense-linalg.js';
import { pca, project } from '../../analysis/pca.js';
import { randomOrthonormal } from '../../analysis/synthetic.js';
import { gaussian, prng } from '../../analysis/test-support.js';
import { arraySource } from './row-source.js';
import { streamedPca, streamedProject, streamedSpectrum } from './streamed-pca.js';
import { covarianceSpectrum } from '../../analysis/pca.js';

const n = 20_000;
const d = 300;
const sd = [6, 4, 3, 2, 1.5, 1, 0.7, 0.5];
const axes = randomOrthonormal(sd.length, d, 11);
const g = gaussian(prng(12));
const raw = new Float32Array(n * d);
for (let i = 0; i < n; i++) {
  for (let j = 0; j < d; j++) raw[i * d + j] = 40 + 0.2 * g(); // an offset far above the spread, and isotropic noise
  for (let c = 0; c < sd.length; c++) {
    const z = g() * sd[c]!;
    for (let j = 0; j < d; j++) raw[i * d + j] = raw[i * d + j]! + z * axes[c * d + j]!;
  }
}
const half = Uint16Array.from(raw, toHalf);
const x = Float32Array.from(half, fromHalf); // exactly the values the graph sees
const products = new BlockProducts(d, { threads: 2 });
afterAll(() => products.release());

/** |corr| of two coordinate columns. */
function correlation(a: Float32Array, b: Float32Array, k: number, c: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length / k; i++) {
    ab += a[i * k + c]! * b[i * k + c]!;
    aa += a[i * k + c]! ** 2;
    bb += b[i * k + c]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('streamed PCA through onnxruntime', () => {
  const exact = pca(x, n, d, 3, { method: 'exact' });
  const exactCoords = project(exact, x, n);

  for (const method of ['randomized', 'exact'] as const) {
    it(`${method}: explained variance per axis within 1% of exact PCA, coordinates equal up to sign`, async () => {
      const src = arraySource(half, n, d, 3000); // blocks that do not divide n
      const got = await streamedPca(src, 3, products, { method, seed: 3 });
      expect(got.method).toBe(method);
      expect(Math.abs(got.totalVariance / exact.totalVariance - 1)).toBeLessThan(1e-3);
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(got.explainedRatio[c]! / exact.explainedRatio[c]! - 1)).toBeLessThan(0.01);
        let dot = 0;
        for (let j = 0; j < d; j++) dot += got.components[c * d + j]! * exact.components[c * d + j]!;
        expect(Math.abs(dot)).toBeGreaterThan(0.999);
      }
      for (let j = 0; j < d; j++) expect(got.mean[j]!).toBeCloseTo(exact.mean[j]!, 3);
      const coords = await streamedProject(src, got, products);
      expect(coords).toHaveLength(n * 3);
      const scale = Math.sqrt(exact.variances[2]!);
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(correlation(coords, exactCoords, 3, c))).toBeGreaterThan(0.999);
        const sign = Math.sign(correlation(coords, exactCoords, 3, c));
        let worst = 0;
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(coords[i * 3 + c]! - sign * exactCoords[i * 3 + c]!));
        expect(worst).toBeLessThan(0.05 * scale);
      }
    }, 300_000);
  }

  it('places rows by the positions a block gives (the sample store streams them in id order)', async () => {
    const m = 500;
    const sub = x.subarray(0, m * d);
    const p = pca(sub, m, d, 2, { method: 'exact' });
    const order = Int32Array.from({ length: m }, (_, i) => m - 1 - i); // reversed
    const reversed = new Float32Array(m * d);
    for (let i = 0; i < m; i++) reversed.set(sub.subarray(i * d, (i + 1) * d), order[i]! * d);
    const src = { n: m, d, *blocks() { for (let i = 0; i < m; i += 128) yield { data: sub.subarray(i * d, Math.min(m, i + 128) * d), positions: order.subarray(i, Math.min(m, i + 128)) }; } };
    const got = await streamedProject(src, p, products);
    const want = project(p, reversed, m);
    for (let i = 0; i < got.length; i++) expect(got[i]!).toBeCloseTo(want[i]!, 2);
  }, 300_000);

  it('gives the covariance spectrum of exact PCA (PCA-90 counts it)', async () => {
    const m = 4000;
    const spectrum = await streamedSpectrum(arraySource(x.subarray(0, m * d), m, d), products);
    const want = covarianceSpectrum(x.subarray(0, m * d), m, d);
    for (let i = 0; i < 10; i++) expect(Math.abs(spectrum[i]! / want[i]! - 1)).toBeLessThan(1e-3);
  }, 300_000);
});
