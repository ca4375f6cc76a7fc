// UMAP on the exact onnxruntime kNN with our layout against umap-js's own (its NN-descent and
// optimisation): trustworthiness (scikit-learn's definition, k = 10) no worse by more than 0.02,
// seeded runs equal, and new points placed near where their nearest fitted points lie.
// (Timeouts are generous: the suite may share a loaded machine.)
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UmapLayout } from '../../analysis/umap-layout.js';
import { swissRoll } from '../../analysis/synthetic.js';
import { trustworthiness } from '../../analysis/trustworthiness.js';
import { umapFit } from '../../analysis/umap.js';
import { pca, project } from '../../analysis/pca.js';
import { fastUmap, leadingColumnsInit } from './fast-umap.js';
import { exactKnn } from './knn.js';
import { layoutInParallel } from './parallel-layout.js';

describe('UMAP on the exact kNN', () => {
  const n = 1200;
  const raw = swissRoll(n, 40, 0.05, 3);
  // as the project job does: UMAP on leading principal components
  const x = project(pca(raw, n, 40, 10, { method: 'exact' }), raw, n);
  const d = 10;
  const options = { dims: 2, neighbors: 15, minDist: 0.1, seed: 4 };

  it("keeps trustworthiness within 0.02 of umap-js's, and repeats itself under one seed", async () => {
    const ours = await fastUmap(x, n, d, { ...options, threads: 2 });
    const theirs = umapFit(x, n, d, options);
    const tOurs = trustworthiness(x, ours.coords, n, d, 2, 10);
    const tTheirs = trustworthiness(x, theirs.coords, n, d, 2, 10);
    console.log(`trustworthiness (k = 10), ${n} points: ours ${tOurs.toFixed(4)}, umap-js ${tTheirs.toFixed(4)}`);
    expect(tOurs).toBeGreaterThan(tTheirs - 0.02);
    expect(tOurs).toBeGreaterThan(0.9);
    const again = await fastUmap(x, n, d, { ...options, threads: 2 });
    expect(Array.from(again.coords)).toEqual(Array.from(ours.coords));
  }, 300_000);

  it('places new points next to their nearest fitted points', async () => {
    const fit = await fastUmap(x, n, d, { ...options, threads: 2 });
    // the first 50 rows again, nudged: each should land near its own fitted place
    const m = 50;
    const y = x.slice(0, m * d).map((v, i) => v + 1e-3 * Math.sin(i));
    const placed = await fit.transform(y, m);
    let spread = 0;
    for (let i = 0; i < n; i++) spread = Math.max(spread, Math.abs(fit.coords[i * 2]!), Math.abs(fit.coords[i * 2 + 1]!));
    for (let i = 0; i < m; i++) {
      const dist = Math.hypot(placed[i * 2]! - fit.coords[i * 2]!, placed[i * 2 + 1]! - fit.coords[i * 2 + 1]!);
      expect(dist).toBeLessThan(0.1 * spread);
    }
  }, 300_000);
});

// The layout's epochs on two worker threads (the worker's bundle: `npm run build` first), on the
// same swiss roll: as trustworthy as one thread's and umap-js's, and the same result every run.
describe('UMAP layout on worker threads', () => {
  const n = 3000;
  const raw = swissRoll(n, 40, 0.05, 5);
  const x = project(pca(raw, n, 40, 10, { method: 'exact' }), raw, n);
  const d = 10;
  const worker = path.join(import.meta.dirname, '..', '..', '..', 'dist', 'electron', 'umap-layout-worker.js');

  async function parallel(threads: number): Promise<Float32Array> {
    const knn = await exactKnn(x, n, d, 14, { threads: 2 });
    const layout = new UmapLayout(knn, { dims: 2, minDist: 0.1, seed: 4, init: leadingColumnsInit(x, n, d, 2, 4) });
    await layoutInParallel(layout, threads, worker);
    return layout.coords;
  }

  it('keeps trustworthiness within 0.02 of one thread and of umap-js, and repeats itself for a seed and thread count', async () => {
    expect(fs.existsSync(worker)).toBe(true);
    const two = await parallel(2);
    const one = await fastUmap(x, n, d, { dims: 2, neighbors: 15, minDist: 0.1, seed: 4, threads: 2 });
    const theirs = umapFit(x, n, d, { dims: 2, neighbors: 15, minDist: 0.1, seed: 4 });
    const [tTwo, tOne, tTheirs] = [two, one.coords, theirs.coords].map((c) => trustworthiness(x, c, n, d, 2, 10)) as [number, number, number];
    console.log(`trustworthiness (k = 10), ${n} points: two threads ${tTwo.toFixed(4)}, one thread ${tOne.toFixed(4)}, umap-js ${tTheirs.toFixed(4)}`);
    expect(tTwo).toBeGreaterThan(tOne - 0.02);
    expect(tTwo).toBeGreaterThan(tTheirs - 0.02);
    expect(Array.from(await parallel(2))).toEqual(Array.from(two));
    // three threads: another partition, still deterministic
    const three = await parallel(3);
    expect(Array.from(await parallel(3))).toEqual(Array.from(three));
  }, 600_000);
});
