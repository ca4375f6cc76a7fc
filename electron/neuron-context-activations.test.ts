// Whole top contexts shaded by activation: each of a neuron's top firing contexts is cut again into
// the capture's window and re-run for the neuron's value at every token. On the shipped ReLU demo
// model, captured with overlapping windows (stride < seqLen, so a token's window is not simply
// position / seqLen), the recomputed value at each context's peak token equals the capture's stored
// top-k value: the right window, layer and neuron.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContextActivations, Job } from './api.js';
import type { Backend } from './backend.js';
import { testBackend } from './jobs/test-support.js';
import { listNeurons } from './neurons.js';
import { windowOfPosition } from './neuron-context-activations.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEQ = 64;
const STRIDE = 48;
let b: Backend;
let datasetId: number;
// the model imported from a copy, so that the last test can take its files away
let copy: string;

beforeAll(async () => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-ctx-model-'));
  fs.cpSync(path.join(root, 'native-models', 'demo', 'brown-gpt2-relu'), copy, { recursive: true });
  b = testBackend();
  const wait = async (p: Promise<unknown>) => b.jobs.waitFor(((await p) as { job: Job }).job.id);
  const modelId = ((await wait(b.handle('model.import', { path: copy }))).result as { model: { id: number } }).model.id;
  const corpusId = ((await wait(b.handle('corpus.import', { source: { kind: 'brown' } }))).result as { corpus: { id: number } }).corpus.id;
  const cap = await wait(b.handle('capture.start', { modelId, corpusId, seqLen: SEQ, stride: STRIDE, batch: 8, maxTokens: 6_000, topK: 6, samples: 0 }));
  expect(cap.error).toBeNull();
  datasetId = (cap.result as { dataset: { id: number } }).dataset.id;
}, 600_000);
afterAll(() => {
  b.close();
  fs.rmSync(copy, { recursive: true, force: true });
});

describe('windowOfPosition', () => {
  it('is the window that counted the token, as the capture planned it', () => {
    // windows of 64 every 48 over 150 tokens: [0,64) counts 0..63, [48,112) counts 64..111, [96,150) counts 112..149
    expect(windowOfPosition(150, 64, 48, 10)).toMatchObject({ start: 0, length: 64 });
    expect(windowOfPosition(150, 64, 48, 63)).toMatchObject({ start: 0 });
    expect(windowOfPosition(150, 64, 48, 64)).toMatchObject({ start: 48, length: 64 });
    expect(windowOfPosition(150, 64, 48, 112)).toMatchObject({ start: 96, length: 54 });
    expect(() => windowOfPosition(150, 64, 48, 150)).toThrow(/beyond the document's 150 tokens/);
  });
});

describe('neuron.contextActivations', () => {
  it("recomputes every token's activation; at the peak it equals the stored top-k value", async () => {
    const all = listNeurons(b.db, datasetId, {}).neurons;
    // common neurons of the first and last layer, and one that fired on fewer tokens than k
    const picks = [all.find((n) => n.layer === 0 && n.fire_count > 100)!, [...all].reverse().find((n) => n.fire_count > 100)!, all.find((n) => n.fire_count > 0 && n.fire_count < 6)];
    let laterWindows = 0;
    for (const n of picks.filter((x) => x !== undefined)) {
      const r = (await b.handle('neuron.contextActivations', { datasetId, layer: n.layer, neuron: n.neuron, contexts: 6 })) as ContextActivations;
      expect(r.seqLen).toBe(SEQ);
      expect(r.stride).toBe(STRIDE);
      expect(r.contexts.length).toBe(Math.min(6, n.fire_count));
      for (const c of r.contexts) {
        expect(c.tokens.length).toBe(c.activations.length);
        expect(c.tokens.length).toBeGreaterThan(c.peak);
        expect(c.tokens.length).toBeLessThanOrEqual(SEQ);
        expect(c.windowStart + c.peak).toBe(c.position);
        expect(c.windowStart % STRIDE).toBe(0);
        if (c.windowStart > 0) laterWindows++;
        expect(Math.abs((c.activations[c.peak] as number) - c.value)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(c.value)));
        expect(r.max).toBeGreaterThanOrEqual(Math.abs(c.value) - 1e-4);
      }
      // the values vary along the window: a whole context, not the peak repeated
      expect(new Set(r.contexts[0]!.activations).size).toBeGreaterThan(1);
    }
    // some peak sat in a window after a document's first, where the overlap matters
    expect(laterWindows).toBeGreaterThan(0);
  }, 600_000);

  it("says why when the model's files are gone (the view then keeps the firing token's shade)", async () => {
    const n = listNeurons(b.db, datasetId, {}).neurons.find((x) => x.fire_count > 100)!;
    fs.rmSync(copy, { recursive: true, force: true });
    const err = await b.handle('neuron.contextActivations', { datasetId, layer: n.layer, neuron: n.neuron, contexts: 2 }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toContain(copy);
    expect(err?.message).toMatch(/cannot be loaded to re-run the contexts/);
  }, 120_000);

  it('says which dataset is missing', async () => {
    await expect(b.handle('neuron.contextActivations', { datasetId: 9999, layer: 0, neuron: 0, contexts: 3 })).rejects.toThrow(/dataset 9999 does not exist/);
  }, 120_000);
});
