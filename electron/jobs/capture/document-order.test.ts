// The order a capture reads documents in, end to end with the shipped ReLU demo model and Brown:
// 100,000 tokens read in the default (shuffled) order span most genres, where corpus order reads
// news alone and says so in a warning stored with the capture; a split by seed keeps its parts apart.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSamples } from '../../../db/samples.js';
import { selectDocuments } from '../../../db/corpora.js';
import type { Dataset, Job } from '../../api.js';
import type { Backend } from '../../backend.js';
import { testBackend } from '../test-support.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let b: Backend;
let modelId: number;
let corpusId: number;

const wait = async (p: Promise<unknown>) => b.jobs.waitFor(((await p) as { job: Job }).job.id);
const datasetOf = async (job: Job): Promise<Dataset> => {
  expect(job.error).toBeNull();
  const id = (job.result as { dataset: { id: number } }).dataset.id;
  return ((await b.handle('dataset.list', {})) as Dataset[]).find((d) => d.id === id)!;
};
const genresOfSamples = (datasetId: number) => new Set(readSamples(b.db, datasetId, 4, { blobs: false }).map((s) => s.metadata.genre));

beforeAll(async () => {
  b = testBackend();
  modelId = ((await wait(b.handle('model.import', { path: path.join(root, 'native-models', 'demo', 'brown-gpt2-relu') }))).result as { model: { id: number } }).model.id;
  corpusId = ((await wait(b.handle('corpus.import', { source: { kind: 'brown' } }))).result as { corpus: { id: number } }).corpus.id;
}, 300_000);
afterAll(() => b.close());

describe('document order of a capture', () => {
  it('reads 100,000 Brown tokens in shuffled order (the default) across at least 10 genres, with no warning', async () => {
    const job = await wait(b.handle('capture.start', { modelId, corpusId, seqLen: 256, batch: 16, maxTokens: 100_000, topK: 0, samples: 600 }));
    const d = await datasetOf(job);
    expect((d.params as { filter: { order: string } }).filter.order).toBe('shuffled');
    expect(d.tokens).toBe(100_000);
    expect(genresOfSamples(d.id).size).toBeGreaterThanOrEqual(10);
    expect(d.warnings).toEqual([]);
  }, 600_000);

  it('reads news alone in corpus order, and stores a warning that names the one genre', async () => {
    const job = await wait(b.handle('capture.start', { modelId, corpusId, filter: { order: 'corpus' }, seqLen: 256, batch: 16, maxTokens: 20_000, topK: 0, samples: 100 }));
    const d = await datasetOf(job);
    expect([...genresOfSamples(d.id)]).toEqual(['news']);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/one value of "genre" only \(genre = news, 1 of the corpus's 15 values/);
  }, 600_000);

  it('deals a stratified order over every genre, and refuses a field the corpus does not have', async () => {
    const job = await wait(b.handle('capture.start', { modelId, corpusId, filter: { order: 'stratified', stratifyBy: 'genre', tokensPerDocument: 256 }, seqLen: 256, batch: 16, maxTokens: 15 * 256, topK: 0, samples: 150 }));
    const d = await datasetOf(job);
    expect(genresOfSamples(d.id).size).toBe(15);
    const bad = await wait(b.handle('capture.start', { modelId, corpusId, filter: { order: 'stratified', stratifyBy: 'colour' }, maxTokens: 1000, topK: 0, samples: 0 }));
    expect(bad.state).toBe('failed');
    expect(bad.error).toMatch(/no field "colour" \(its fields: .*genre/);
  }, 600_000);

  it('splits by seed into disjoint train and validation parts that together are the corpus', () => {
    const part = (p: 'train' | 'validation') => selectDocuments(b.db, corpusId, { split: { part: p, fraction: 0.2, seed: 1 }, order: 'corpus' }).map((x) => x.name);
    const train = part('train');
    const validation = part('validation');
    expect(train.length + validation.length).toBe(500);
    expect(validation.some((n) => train.includes(n))).toBe(false);
    expect(validation.length).toBeGreaterThan(70);
    expect(validation.length).toBeLessThan(130);
  });
});
