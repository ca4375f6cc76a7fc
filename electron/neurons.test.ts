// Detectors on a real capture of a model with planted neurons: neurons that can never fire (zero
// input weights, negative bias, ReLU) and one that fires enormously (input weights scaled up).
// The test plants them in the checkpoint file; the capture and the detectors must find them.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from './api.js';
import type { Backend } from './backend.js';
import { editSafetensors, optWithConstantNeurons, testBackend } from './jobs/test-support.js';
import { layerSummary, listNeurons, neuronDetail } from './neurons.js';

const DEAD = [
  [0, 7],
  [1, 30],
  [1, 31],
] as const;
const MASSIVE = [1, 50] as const;

let b: Backend;
let datasetId: number;

beforeAll(async () => {
  const dir = optWithConstantNeurons(DEAD.map(([layer, neuron]) => ({ layer, neuron, bias: -1 })));
  editSafetensors(path.join(dir, 'model.safetensors'), (name, shape, data) => {
    const m = /^model\.decoder\.layers\.(\d+)\.fc1\.(weight|bias)$/.exec(name);
    if (!m || Number(m[1]) !== MASSIVE[0]) return;
    const D = shape[1] ?? 1;
    if (m[2] === 'weight') for (let i = MASSIVE[1] * D; i < (MASSIVE[1] + 1) * D; i++) data[i] = (data[i] as number) * 400;
    else data[MASSIVE[1]] = Math.abs(data[MASSIVE[1]] as number) * 400 + 50;
  });
  b = testBackend();
  const wait = async (p: Promise<unknown>) => b.jobs.waitFor(((await p) as { job: Job }).job.id);
  const model = await wait(b.handle('model.import', { path: dir }));
  const corpus = await wait(b.handle('corpus.import', { source: { kind: 'brown' } }));
  const cap = await wait(
    b.handle('capture.start', {
      modelId: (model.result as { model: { id: number } }).model.id,
      corpusId: (corpus.result as { corpus: { id: number } }).corpus.id,
      seqLen: 64,
      batch: 4,
      maxTokens: 8000,
    }),
  );
  expect(cap.state).toBe('done');
  datasetId = (cap.result as { dataset: { id: number } }).dataset.id;
});
afterAll(() => b.close());

describe('detectors on a capture', () => {
  it('finds exactly the planted dead neurons, with the tokens seen and the 3/N bound', () => {
    const { neurons } = listNeurons(b.db, datasetId, { kinds: ['dead'] });
    expect(neurons.map((n) => [n.layer, n.neuron])).toEqual(DEAD.map(([l, f]) => [l, f]));
    for (const n of neurons) {
      expect(n.fire_count).toBe(0);
      expect(n.verdicts[0]).toEqual({ kind: 'dead', evidence: expect.objectContaining({ tokens: 8000, upper95: 3 / 8000 }) });
    }
  });

  it('finds the planted massive neuron with its ratio to the layer, and only it', () => {
    const { neurons } = listNeurons(b.db, datasetId, { kinds: ['massive'] });
    expect(neurons.map((n) => [n.layer, n.neuron])).toEqual([[...MASSIVE]]);
    expect(neurons[0]!.peak_ratio).toBeGreaterThan(20);
    // a stricter ratio than the neuron has removes the verdict: the threshold is what decides
    const strict = listNeurons(b.db, datasetId, { kinds: ['massive'], detect: { massive: { minRatio: neurons[0]!.peak_ratio! * 2 } } });
    expect(strict.neurons).toEqual([]);
  });

  it('gives per layer the distribution of the fraction of neurons active per token, consistent with the fire counts', () => {
    const layers = layerSummary(b.db, datasetId, 96);
    expect(layers.map((l) => l.dead)).toEqual([1, 2]);
    for (const l of layers) {
      const h = l.active_fraction_histogram!;
      expect(h.counts.reduce((a, c) => a + c, 0)).toBe(8000);
      // two independent reductions of the graph: per-token active counts vs per-neuron fire counts
      const { neurons } = listNeurons(b.db, datasetId, { layer: l.layer });
      const fireRate = neurons.reduce((a, n) => a + n.fire_count, 0) / (8000 * neurons.length);
      expect(l.mean_active_fraction).toBeCloseTo(fireRate, 12);
      // with one bin per possible count, the histogram's mean is exact too
      const histMean = h.counts.reduce((a, c, i) => a + c * h.edges[i]!, 0) / 8000;
      expect(histMean).toBeCloseTo(fireRate, 9);
    }
  });

  it('sorts and limits, and shows one neuron with contexts and promoted tokens', () => {
    const top = listNeurons(b.db, datasetId, { sort: 'max', limit: 1 }).neurons[0]!;
    expect([top.layer, top.neuron]).toEqual([...MASSIVE]);
    const d = neuronDetail(b.db, datasetId, MASSIVE[0], MASSIVE[1]);
    expect(d.contexts).toHaveLength(16);
    expect(d.contexts[0]!.value).toBe(top.max);
    expect(d.contexts[0]!.token).toHaveLength(1); // one character of the char-level tokenizer
    expect(d.promoted).toHaveLength(10);
    expect(d.weights?.key_norm).toBeGreaterThan(0);
  });
});
