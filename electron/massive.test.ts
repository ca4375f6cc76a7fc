// Massive activations in the residual stream and their super-weight candidates, end to end: the
// real capture job (worker process, instrumented graph) on real checkpoints with planted massive
// dims, then the detector and the W_out ranking through the API. The expectations are what was
// planted; the detector is not told any of it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, MassiveDims } from './api.js';
import type { Backend } from './backend.js';
import { editSafetensors, fixtureWithCharTokenizer, runCli, testBackend } from './jobs/test-support.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures');
const SEQ = 64;
let b: Backend;
let corpusId: number;

async function done(started: unknown): Promise<Job> {
  const job = await b.jobs.waitFor((started as { job: Job }).job.id);
  expect(job.error ?? null).toBe(null);
  expect(job.state).toBe('done');
  return job;
}

/** Imports the model folder and captures 6,000 tokens of Brown with hidden-state samples; returns the dataset id. */
async function capture(dir: string, seqLen = SEQ): Promise<number> {
  const m = await done(await b.handle('model.import', { path: dir }));
  const modelId = (m.result as { model: { id: number } }).model.id;
  const c = await done(await b.handle('capture.start', { modelId, corpusId, filter: { documents: 3, order: 'corpus' }, seqLen, batch: 4, maxTokens: 6000, topK: 2, samples: 300 }));
  return (c.result as { dataset: { id: number } }).dataset.id;
}

beforeAll(async () => {
  b = testBackend();
  corpusId = ((await done(await b.handle('corpus.import', { source: { kind: 'brown' } }))).result as { corpus: { id: number } }).corpus.id;
}, 120_000);
afterAll(() => b.close());

describe('massive dims on the OPT fixture with two planted ones', () => {
  it('finds exactly the planted dims: one written by the position-0 embedding (no single weight), one by one W_out weight of layer 1 (its top candidate)', async () => {
    // dim 7: +400 in the position-0 row of the learned positions (OPT's offset 2: row 2), so every
    // window's first token carries it from the embeddings on; dim 19: neuron 10 of layer 1 made to
    // fire on every token (bias 2) with one output weight of 300 into dim 19
    const dir = fixtureWithCharTokenizer(path.join(fixtures, 'opt'));
    editSafetensors(path.join(dir, 'model.safetensors'), (name, shape, data) => {
      if (name === 'model.decoder.embed_positions.weight') data[2 * shape[1]! + 7] = 400;
      if (name === 'model.decoder.layers.1.fc1.bias') data[10] = 2;
      if (name === 'model.decoder.layers.1.fc2.weight') data[19 * shape[1]! + 10] = 300;
    });
    const id = await capture(dir);
    const r = (await b.handle('neurons.massiveDims', { datasetId: id })) as MassiveDims;
    expect(r.reason).toBe(null);
    expect(r.samples).toBe(300);
    expect(r.dims.map((d) => [d.dim, d.first_layer, d.layers])).toEqual([
      [7, 0, [0, 1]],
      [19, 1, [1]],
    ]);
    const [d7, d19] = r.dims as [MassiveDims['dims'][number], MassiveDims['dims'][number]];
    // where: the first token of a window (document positions 0, 64, 128, ...), as planted
    expect(d7.where.length).toBeGreaterThan(0);
    for (const w of d7.where) expect(w.position % SEQ).toBe(0);
    expect(d7.max_abs).toBeGreaterThan(300);
    expect(d7.ratio).toBeGreaterThanOrEqual(100);
    expect(d7.candidates).toBe(0);
    expect(d7.super_weights[0]!.share).toBeLessThan(0.05);
    expect(d19.candidates).toBe(1);
    expect(d19.super_weights[0]).toMatchObject({ layer: 1, neuron: 10, dim: 19, weight: 300, candidate: true });
    expect(d19.super_weights[0]!.share).toBeGreaterThan(0.9);
    expect(d19.super_weights[1]!.share).toBeLessThan(0.05);
    // the per-layer view says the same, with the layer medians the ratios came from
    expect(r.layers.map((l) => l.dims.map((d) => d.dim))).toEqual([[7], [19, 7]]);
    for (const l of r.layers) expect(l.threshold).toBe(Math.max(100 * l.median!, 20));

    // thresholds are options: a floor above both planted values leaves none
    const none = (await b.handle('neurons.massiveDims', { datasetId: id, minAbs: 1e6 })) as MassiveDims;
    expect(none.dims).toEqual([]);

    // the CLI prints the same: per layer the dims and where, then the candidates
    const json = runCli(['massive-dims', String(id), '--json'], b.dataDir);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(r);
    const text = runCli(['massive-dims', String(id)], b.dataDir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^1 +[\d.]+ +19 +[\d.]+ +\d+x +1 +ca\d\d:\d+ /m);
    expect(text.stdout).toMatch(/dim 7 \(first massive in layer 0, .*\): no single weight writes it/);
    expect(text.stdout).toMatch(/dim 19 \(first massive in layer 1, .*\): 1 candidate\n.*\n +1 +10 +19 +300\.0 .* candidate/);
    const lower = runCli(['massive-dims', String(id), '--min-abs', '1e6', '--json'], b.dataDir);
    expect(JSON.parse(lower.stdout).dims).toEqual([]);
    expect(runCli(['massive-dims', String(id), '--min-ratio', 'x'], b.dataDir).stderr).toMatch(/--min-ratio must be a number/);
  }, 120_000);

  it('without samples it says so rather than guessing the typical scale', async () => {
    const dir = fixtureWithCharTokenizer(path.join(fixtures, 'opt'));
    const m = await done(await b.handle('model.import', { path: dir, name: 'opt-no-samples' }));
    const modelId = (m.result as { model: { id: number } }).model.id;
    const c = await done(await b.handle('capture.start', { modelId, corpusId, filter: { documents: 1 }, seqLen: SEQ, maxTokens: 500, topK: 1, samples: 0 }));
    const r = (await b.handle('neurons.massiveDims', { datasetId: (c.result as { dataset: { id: number } }).dataset.id })) as MassiveDims;
    expect(r.available).toBe(false);
    expect(r.reason).toMatch(/re-capture with samples/);
  }, 120_000);
});

const planted = path.join(fixtures, 'planted');
const truths = fs.existsSync(planted) ? fs.readdirSync(planted).filter((n) => fs.existsSync(path.join(planted, n, 'truth.json'))) : [];

interface Truth {
  massive: Array<{ dim: number; first_layer: number; position?: number; token_id?: number; token?: string }>;
  super_weight: Array<{ layer: number; neuron: number; dim: number; value: number }>;
}

describe.runIf(truths.length > 0)('planted-truth fixtures', () => {
  it.each(truths)('%s: the massive dims are truth.massive (dim, first layer, where) and the top candidate is truth.super_weight', async (name) => {
    const dir = path.join(planted, name);
    const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8')) as Truth;
    const id = await capture(dir, 128);
    const r = (await b.handle('neurons.massiveDims', { datasetId: id })) as MassiveDims;
    expect(r.reason).toBe(null);
    expect(r.dims.map((d) => [d.dim, d.first_layer]).sort()).toEqual(truth.massive.map((m) => [m.dim, m.first_layer]).sort());
    for (const m of truth.massive) {
      const found = r.dims.find((d) => d.dim === m.dim)!;
      expect(found.where.length).toBeGreaterThan(0);
      for (const w of found.where) {
        if (m.position !== undefined) expect(w.position % 128).toBe(m.position);
        if (m.token_id !== undefined) expect(w.token_id).toBe(m.token_id);
        if (m.token !== undefined) expect(w.token).toBe(m.token);
      }
    }
    for (const s of truth.super_weight) {
      const found = r.dims.find((d) => d.dim === s.dim)!;
      expect(found.candidates).toBe(1);
      expect(found.super_weights[0]).toMatchObject({ layer: s.layer, neuron: s.neuron, dim: s.dim, weight: s.value, candidate: true });
    }
  }, 180_000);
});
