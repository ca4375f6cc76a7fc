// The project job with real workers, a tiny GPT-2 and a capture with samples: stored coordinates
// equal a PCA of the stored hidden states and reload through the API; an ablation with no neurons
// lands on the intact points; ablating neurons moves them; UMAP with an ablation; clear refusal of
// a dataset without samples; a neuron's values and a selection's top neurons.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStats } from '../../../db/datasets.js';
import { loadIntrinsicDims, loadLayerProjections } from '../../../db/projections.js';
import { neuronSampleValues, readSamples } from '../../../db/samples.js';
import type { Job, ProjectionData, ProjectionRun, SelectionNeuron } from '../../api.js';
import type { Backend } from '../../backend.js';
import { pca, project } from '../../analysis/pca.js';
import { fixtureWithCharTokenizer, testBackend } from '../test-support.js';
import { countingWindow, projectionEdit } from './ablated.js';
import type { ProjectResult } from './run.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'native-models', 'fixtures');
let b: Backend;
let modelId: number;
let datasetId: number;
let bare: number;
const L = 2;
const D = 32;
const F = 128;

async function finish(method: 'capture.start' | 'projection.start', params: unknown): Promise<Job> {
  const { job } = (await b.handle(method, params)) as { job: Job };
  return b.jobs.waitFor(job.id);
}

beforeAll(async () => {
  const modelDir = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
  b = testBackend();
  const m = await b.jobs.waitFor(((await b.handle('model.import', { path: modelDir })) as { job: Job }).job.id);
  modelId = (m.result as { model: { id: number } }).model.id;
  const c = await b.jobs.waitFor(((await b.handle('corpus.import', { source: { kind: 'brown' } })) as { job: Job }).job.id);
  const corpusId = (c.result as { corpus: { id: number } }).corpus.id;
  const capture = { modelId, corpusId, filter: { documents: 6 }, seqLen: 48, stride: 32, batch: 4, topK: 0, maxTokens: 6000 };
  datasetId = ((await finish('capture.start', { ...capture, samples: 120, seed: 5 })).result as { dataset: { id: number } }).dataset.id;
  bare = ((await finish('capture.start', { ...capture, maxTokens: 500, samples: 0, name: 'no samples' })).result as { dataset: { id: number } }).dataset.id;
});
afterAll(() => b.close());

describe('project job', () => {
  it('stores per-layer PCA coordinates of the stored hidden states, reloaded through the API, with intrinsic dimensions', async () => {
    const job = await finish('projection.start', { datasetId, method: 'pca', dims: 3 });
    expect(job.state).toBe('done');
    const result = job.result as ProjectResult;
    expect(result.run.points).toBe(120);
    expect(result.run.layers).toEqual([0, 1]);
    const samples = readSamples(b.db, datasetId, L);
    const stored = loadLayerProjections(b.db, result.run.id);
    expect(stored.map((s) => s.layer)).toEqual([0, 1]);
    for (const layer of [0, 1]) {
      const x = new Float32Array(120 * D);
      samples.forEach((s, i) => x.set(s.residual[layer]!, i * D));
      const want = project(pca(x, 120, D, 3), x, 120);
      const got = stored[layer]!.coords;
      expect(got.length).toBe(360);
      for (let i = 0; i < got.length; i++) expect(got[i]!).toBeCloseTo(want[i]!, 4);
      const ratios = stored[layer]!.explainedVariance!;
      expect(ratios).toHaveLength(3);
      expect(ratios[0]!).toBeGreaterThanOrEqual(ratios[1]!);
      expect(ratios.reduce((a, v) => a + v, 0)).toBeLessThanOrEqual(1 + 1e-9);
    }
    const runs = (await b.handle('projection.list', { datasetId })) as ProjectionRun[];
    expect(runs.map((r) => r.id)).toContain(result.run.id);
    const data = (await b.handle('projection.get', { id: result.run.id })) as ProjectionData;
    expect(data.points.sampleId).toEqual(samples.map((s) => s.id));
    expect(data.points.token).toEqual(samples.map((s) => s.token));
    expect(data.points.fields.genre).toEqual(samples.map((s) => s.metadata.genre));
    expect(data.layers[1]!.coords).toEqual(Array.from(stored[1]!.coords));
    expect(data.layers[1]!.ablated).toBeNull();
    // intrinsic dimension per layer: TwoNN positive and finite, PCA-90 within the width
    const dims = loadIntrinsicDims(b.db, datasetId, 'residual');
    expect(dims.map((d) => d.layer)).toEqual([0, 1]);
    for (const d of dims) {
      expect(d.twonn!).toBeGreaterThan(0);
      expect(d.pca90!).toBeGreaterThanOrEqual(1);
      expect(d.pca90!).toBeLessThanOrEqual(D);
    }
  });

  it('places an ablation of no neurons on the intact points, and moves them when neurons are zeroed', async () => {
    const none = await finish('projection.start', { datasetId, method: 'pca', ablation: { neurons: [], method: 'zero' }, intrinsic: false });
    expect(none.state).toBe('done');
    for (const l of loadLayerProjections(b.db, (none.result as ProjectResult).run.id)) {
      const scale = Math.max(...Array.from(l.coords, Math.abs));
      // the same windows again: equal up to float16 rounding of the batch's float results
      for (let i = 0; i < l.coords.length; i++) expect(Math.abs(l.ablated![i]! - l.coords[i]!)).toBeLessThan(2e-3 * scale);
    }
    // the 16 neurons of layer 0 that fire most on average, replaced by zero
    const stats = loadStats(b.db, datasetId, L, F);
    const top = Array.from({ length: F }, (_, f) => f).sort((x, y) => stats.sum[y]! - stats.sum[x]!).slice(0, 16);
    const zeroed = await finish('projection.start', { datasetId, method: 'pca', layers: [1], ablation: { neurons: top.map((neuron) => ({ layer: 0, neuron })), method: 'zero' }, intrinsic: false });
    expect(zeroed.state).toBe('done');
    const [l1] = loadLayerProjections(b.db, (zeroed.result as ProjectResult).run.id);
    const moved = Array.from(l1!.coords, (v, i) => Math.abs(l1!.ablated![i]! - v));
    expect(Math.max(...moved)).toBeGreaterThan(0.05 * Math.max(...Array.from(l1!.coords, Math.abs)));
  });

  it('embeds with UMAP in 2-D and places ablated points with its transform', async () => {
    const job = await finish('projection.start', { datasetId, method: 'umap', dims: 2, layers: [1], neighbors: 10, ablation: { neurons: [{ layer: 0, neuron: 3 }], method: 'mean' }, intrinsic: false });
    expect(job.state).toBe('done');
    const [l] = loadLayerProjections(b.db, (job.result as ProjectResult).run.id);
    expect(l!.coords).toHaveLength(240);
    expect(l!.explainedVariance).toBeNull();
    expect(Array.from(l!.coords).every(Number.isFinite)).toBe(true);
    expect(Array.from(l!.ablated!).every(Number.isFinite)).toBe(true);
    // seeded: the same parameters give the same embedding
    const again = await finish('projection.start', { datasetId, method: 'umap', dims: 2, layers: [1], neighbors: 10, intrinsic: false });
    expect(Array.from(loadLayerProjections(b.db, (again.result as ProjectResult).run.id)[0]!.coords)).toEqual(Array.from(l!.coords));
  });

  it('refuses a dataset without samples, saying how to make them', async () => {
    const job = await finish('projection.start', { datasetId: bare, method: 'pca' });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/no sampled hidden states: run a capture with --samples N/);
    expect(b.db.prepare('SELECT COUNT(*) AS n FROM projection_runs WHERE job_id = ?').get(job.id)).toEqual({ n: 0 });
  });

  it("returns a neuron's activation on the samples and the neurons that fire most on a selection", async () => {
    const values = (await b.handle('projection.neuronValues', { datasetId, layer: 1, neuron: 7 })) as { sampleIds: number[]; values: number[] };
    expect(values.values).toEqual(Array.from(neuronSampleValues(b.db, datasetId, 1, F, 7)));
    const samples = readSamples(b.db, datasetId, L);
    // select the samples where neuron 1:7 is highest: it must rank near the top
    const chosen = samples
      .map((s) => ({ id: s.id, v: s.ffn[1]![7]! }))
      .sort((x, y) => y.v - x.v)
      .slice(0, 10)
      .map((s) => s.id);
    const top = (await b.handle('projection.topNeurons', { datasetId, sampleIds: chosen, layer: 1, limit: 20 })) as SelectionNeuron[];
    expect(top.length).toBe(20);
    for (let i = 1; i < top.length; i++) expect(top[i]!.score).toBeLessThanOrEqual(top[i - 1]!.score);
    expect(top.map((t) => t.neuron)).toContain(7);
    const mean = chosen.reduce((s, id) => s + samples.find((x) => x.id === id)!.ffn[1]![7]!, 0) / chosen.length;
    expect(top.find((t) => t.neuron === 7)!.selectionMean).toBeCloseTo(mean, 5);
    await expect(b.handle('projection.topNeurons', { datasetId, sampleIds: [999_999] })).rejects.toThrow(/not samples of dataset/);
  });
});

describe('ablation inputs', () => {
  it('edits only condition 1, with the replacement value as shift', () => {
    const spec = { nLayers: 2, dFf: 4 } as Parameters<typeof projectionEdit>[0];
    const means = new Float32Array(8).fill(0.25);
    means[1 * 4 + 2] = 0.5;
    const { scale, shift } = projectionEdit(spec, [{ layer: 1, neuron: 2 }], 'mean', means);
    expect(Array.from(scale)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1]);
    expect(Array.from(shift)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0]);
  });

  it("finds the capture window that counted a position", () => {
    // length 100, windows of 48 every 32: [0,48) counts 0..47, [32,80) counts 48..79, [64,100) counts 80..99
    expect(countingWindow(100, 48, 32, 47)).toEqual({ start: 0, length: 48 });
    expect(countingWindow(100, 48, 32, 48)).toEqual({ start: 32, length: 48 });
    expect(countingWindow(100, 48, 32, 99)).toEqual({ start: 64, length: 36 });
  });
});
