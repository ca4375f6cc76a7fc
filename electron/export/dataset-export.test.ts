// A real capture (the OPT fixture over Brown) exported for notebooks, read back with the
// project's own safetensors reader and checked value by value against the database; then the
// capture renamed, listed as a model's dependent, and deleted with everything made from it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../api.js';
import type { Backend } from '../backend.js';
import { loadStats, loadTopExamples } from '../../db/datasets.js';
import { getModel } from '../../db/models.js';
import { readSamples } from '../../db/samples.js';
import { openSafetensors, readSafetensorsHeader } from '../../native-models/formats/safetensors.js';
import type { ModelSpec } from '../../native-models/spec.js';
import { optWithConstantNeurons, tempDir, testBackend } from '../jobs/test-support.js';

let b: Backend;
let datasetId: number;
let modelId: number;
let spec: ModelSpec;
const SAMPLES = 24;

const wait = async (p: Promise<unknown>) => b.jobs.waitFor(((await p) as { job: Job }).job.id);

beforeAll(async () => {
  b = testBackend();
  const model = await wait(b.handle('model.import', { path: optWithConstantNeurons([]) }));
  const corpus = await wait(b.handle('corpus.import', { source: { kind: 'brown' } }));
  modelId = (model.result as { model: { id: number } }).model.id;
  const cap = await wait(b.handle('capture.start', { modelId, corpusId: (corpus.result as { corpus: { id: number } }).corpus.id, seqLen: 64, batch: 4, maxTokens: 2000, samples: SAMPLES, name: 'export me' }));
  expect(cap.state).toBe('done');
  datasetId = (cap.result as { dataset: { id: number } }).dataset.id;
  spec = getModel(b.db, modelId)!.spec as ModelSpec;
}, 300_000);
afterAll(() => b.close());

describe('export for notebooks', () => {
  it('writes safetensors whose statistics, top examples and samples equal the database', async () => {
    const dir = tempDir('ffn-export-');
    const { files } = (await b.handle('dataset.export', { id: datasetId, format: 'safetensors', dir })) as { files: string[] };
    expect(files.map((f) => path.basename(f))).toEqual(['capture.safetensors', 'capture.json']);
    const reader = openSafetensors(path.join(dir, 'capture.safetensors'));
    const header = readSafetensorsHeader(path.join(dir, 'capture.safetensors'));
    expect(header.metadata).toMatchObject({ format: 'ffn-lab-notebook-export', sidecar: 'capture.json' });
    const L = spec.nLayers;
    const F = spec.dFf;

    const stats = loadStats(b.db, datasetId, L, F);
    const mean = reader.read('neurons.mean');
    const fire = reader.read('neurons.fire_count');
    const max = reader.read('neurons.max');
    expect(reader.tensors.get('neurons.mean')!.shape).toEqual([L, F]);
    for (let i = 0; i < L * F; i++) {
      expect(mean[i]).toBe(Math.fround(stats.sum[i]! / stats.count[i]!));
      expect(fire[i]).toBe(stats.fire[i]);
      expect(max[i]).toBe(Math.fround(stats.max[i]!));
    }

    const top = loadTopExamples(b.db, datasetId);
    expect(top.length).toBeGreaterThan(0);
    const K = reader.tensors.get('top.value')!.shape[2]!;
    const value = reader.read('top.value');
    const position = reader.read('top.position');
    const document = reader.read('top.document');
    const ordinal = b.db.prepare('SELECT ordinal FROM documents WHERE id = ?');
    for (const t of top) {
      const i = (t.layer * F + t.neuron) * K + t.rank;
      expect(value[i]).toBe(Math.fround(t.value));
      expect(position[i]).toBe(t.position);
      expect(document[i]).toBe((ordinal.get(t.documentId) as { ordinal: number }).ordinal);
    }

    const samples = readSamples(b.db, datasetId, L);
    expect(samples.length).toBe(SAMPLES);
    const residual = reader.read('samples.residual');
    const ffn = reader.read('samples.ffn');
    expect(reader.tensors.get('samples.residual')).toMatchObject({ dtype: 'F16', shape: [SAMPLES, L, spec.dModel] });
    const tokenIds = reader.read('samples.token_id');
    samples.forEach((s, n) => {
      expect(tokenIds[n]).toBe(s.tokenId);
      for (let l = 0; l < L; l++) {
        expect(Array.from(residual.subarray((n * L + l) * spec.dModel, (n * L + l + 1) * spec.dModel))).toEqual(Array.from(s.residual[l]!));
        expect(Array.from(ffn.subarray((n * L + l) * F, (n * L + l + 1) * F))).toEqual(Array.from(s.ffn[l]!));
      }
    });

    const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'capture.json'), 'utf8')) as { dataset: unknown; model: unknown; samples: { tokens: string[] }; tensors: Record<string, unknown>; documents: Record<string, unknown> };
    expect(sidecar.dataset).toMatchObject({ id: datasetId, name: 'export me' });
    expect(sidecar.model).toMatchObject({ layers: L, d_ff: F, d_model: spec.dModel });
    expect(sidecar.samples.tokens).toEqual(samples.map((s) => s.token));
    expect(Object.keys(sidecar.tensors)).toEqual([...reader.tensors.keys()]);
    for (const ord of new Set(Array.from(document).filter((d) => d >= 0))) expect(typeof sidecar.documents[String(ord)]).toBe('string');
  }, 120_000);

  it('writes CSV files with one row per neuron, per top example and per sample and layer', async () => {
    const dir = tempDir('ffn-export-csv-');
    const { files } = (await b.handle('dataset.export', { id: datasetId, format: 'csv', dir })) as { files: string[] };
    expect(files.map((f) => path.basename(f))).toEqual(['neurons.csv', 'top_examples.csv', 'samples.csv', 'residual.csv', 'ffn.csv', 'capture.json']);
    const lines = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8').trimEnd().split('\n');
    const neurons = lines('neurons.csv');
    expect(neurons[0]).toBe('layer,neuron,tokens,mean,std,min,max,peak_abs,mean_abs,fire_count,fire_rate,kurtosis,peak_ratio');
    expect(neurons.length).toBe(1 + spec.nLayers * spec.dFf);
    const stats = loadStats(b.db, datasetId, spec.nLayers, spec.dFf);
    const row = neurons[1 + spec.dFf + 3]!.split(','); // layer 1, neuron 3
    expect(row.slice(0, 2)).toEqual(['1', '3']);
    expect(Number(row[3])).toBe(stats.sum[spec.dFf + 3]! / stats.count[spec.dFf + 3]!);
    expect(lines('top_examples.csv').length).toBe(1 + loadTopExamples(b.db, datasetId).length);
    expect(lines('residual.csv').length).toBe(1 + SAMPLES * spec.nLayers);
    const firstResidual = lines('residual.csv')[1]!.split(',').slice(2).map(Number);
    expect(firstResidual).toEqual(Array.from(readSamples(b.db, datasetId, spec.nLayers, { limit: 1 })[0]!.residual[0]!));
  }, 120_000);

  it('refuses a folder that is a file, naming it', async () => {
    const file = path.join(tempDir('ffn-export-file-'), 'taken');
    fs.writeFileSync(file, 'x');
    await expect(b.handle('dataset.export', { id: datasetId, format: 'csv', dir: file })).rejects.toThrow(`${file} is a file; expected a folder to write the export into`);
  });
});

describe('captures as records', () => {
  it('names the model and corpus in job titles, not their ids', () => {
    const model = getModel(b.db, modelId)!;
    const titles = b.jobs.list().map((j) => j.title);
    expect(titles).toContain(`Capture "export me": model “${model.name}” on corpus “brown”, 2000 tokens`);
    expect(titles.some((t) => /model \d|corpus \d/.test(t))).toBe(false);
  });

  it('renames a capture; an empty name is refused in words', async () => {
    const renamed = (await b.handle('dataset.rename', { id: datasetId, name: '  Brown, 2k tokens ' })) as { name: string };
    expect(renamed.name).toBe('Brown, 2k tokens');
    expect(((await b.handle('dataset.list', {})) as Array<{ id: number; name: string }>).find((d) => d.id === datasetId)!.name).toBe('Brown, 2k tokens');
    await expect(b.handle('dataset.rename', { id: datasetId, name: '   ' })).rejects.toThrow('Name must have at least 1 character');
    await expect(b.handle('dataset.rename', { id: 999, name: 'x' })).rejects.toThrow('capture 999 does not exist');
  });

  it("lists a model's captures and runs by name before it is deleted", async () => {
    const deps = (await b.handle('model.dependents', { id: modelId })) as { datasets: Array<{ id: number; name: string }>; ablations: unknown[] };
    expect(deps.datasets).toEqual([{ id: datasetId, name: 'Brown, 2k tokens' }]);
    expect(deps.ablations).toEqual([]);
  });

  it('deletes a capture with its statistics, samples and projections in one transaction', async () => {
    const proj = await wait(b.handle('projection.start', { datasetId, method: 'pca', dims: 3 }));
    expect(proj.state).toBe('done');
    const count = (table: string) => (b.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE dataset_id = ?`).get(datasetId) as { n: number }).n;
    const tables = ['neuron_stats', 'top_examples', 'samples', 'projection_runs', 'projections'];
    for (const t of tables) expect(count(t), t).toBeGreaterThan(0);
    expect((await b.handle('dataset.dependents', { id: datasetId })) as object).toMatchObject({ samples: SAMPLES, projections: 1 });
    expect(await b.handle('dataset.delete', { id: datasetId })).toEqual({ deleted: true });
    for (const t of tables) expect(count(t), t).toBe(0);
    expect(((await b.handle('dataset.list', {})) as Array<{ id: number }>).some((d) => d.id === datasetId)).toBe(false);
    await expect(b.handle('dataset.delete', { id: datasetId })).rejects.toThrow(`capture ${datasetId} does not exist`);
    expect(((await b.handle('model.dependents', { id: modelId })) as { datasets: unknown[] }).datasets).toEqual([]);
  }, 120_000);
});
