// Top activating contexts list only tokens where the neuron fired: on the shipped ReLU demo model
// (trained, so it has rare and silent neurons), a rare neuron lists exactly the tokens it fired on,
// none of them at activation 0, and a silent one lists none, where top-k alone pads both with zeros.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopExamples } from '../db/datasets.js';
import type { Job } from './api.js';
import type { Backend } from './backend.js';
import { testBackend } from './jobs/test-support.js';
import { listNeurons, neuronDetail } from './neurons.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOP_K = 8;
let b: Backend;
let datasetId: number;

beforeAll(async () => {
  b = testBackend();
  const wait = async (p: Promise<unknown>) => b.jobs.waitFor(((await p) as { job: Job }).job.id);
  const modelId = ((await wait(b.handle('model.import', { path: path.join(root, 'native-models', 'demo', 'brown-gpt2-relu') }))).result as { model: { id: number } }).model.id;
  const corpusId = ((await wait(b.handle('corpus.import', { source: { kind: 'brown' } }))).result as { corpus: { id: number } }).corpus.id;
  const cap = await wait(b.handle('capture.start', { modelId, corpusId, seqLen: 256, batch: 16, maxTokens: 20_000, topK: TOP_K, samples: 0 }));
  expect(cap.error).toBeNull();
  datasetId = (cap.result as { dataset: { id: number } }).dataset.id;
}, 600_000);
afterAll(() => b.close());

describe('top activating contexts', () => {
  it('list no zero-activation row for a rare neuron: exactly the tokens it fired on', () => {
    const all = listNeurons(b.db, datasetId, {}).neurons;
    const rare = all.filter((n) => n.fire_count > 0 && n.fire_count < TOP_K);
    expect(rare.length).toBeGreaterThan(0);
    for (const n of rare.slice(0, 20)) {
      // what top-k kept: padded to k with tokens where the neuron was not above 0
      expect(loadTopExamples(b.db, datasetId, { layer: n.layer, neuron: n.neuron }).some((t) => t.value <= 0)).toBe(true);
      const d = neuronDetail(b.db, datasetId, n.layer, n.neuron);
      expect(d.contexts).toHaveLength(n.fire_count);
      expect(d.contexts.every((c) => c.value > 0)).toBe(true);
      expect(d.topK).toBe(TOP_K);
    }
  });

  it('list nothing for a silent neuron, and k firing contexts for a common one', () => {
    const all = listNeurons(b.db, datasetId, {}).neurons;
    const silent = all.find((n) => n.fire_count === 0);
    expect(silent).toBeDefined();
    expect(neuronDetail(b.db, datasetId, silent!.layer, silent!.neuron).contexts).toEqual([]);
    const common = all.find((n) => n.fire_count > 1000)!;
    const d = neuronDetail(b.db, datasetId, common.layer, common.neuron);
    expect(d.contexts).toHaveLength(TOP_K);
    expect(d.contexts.every((c) => c.value > 0)).toBe(true);
  });
});
