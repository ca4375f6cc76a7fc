// The neuron table's queries on a real capture: numeric range filters, paging with offset past
// the first page, sorting nulls last, and validation messages in words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, NeuronRow } from './api.js';
import type { Backend } from './backend.js';
import { optWithConstantNeurons, testBackend } from './jobs/test-support.js';

let b: Backend;
let datasetId: number;
type Listed = { neurons: NeuronRow[]; total: number };
const list = async (q: Record<string, unknown>) => (await b.handle('neurons.list', { datasetId, ...q })) as Listed;

beforeAll(async () => {
  b = testBackend();
  const wait = async (p: Promise<unknown>) => b.jobs.waitFor(((await p) as { job: Job }).job.id);
  const model = await wait(b.handle('model.import', { path: optWithConstantNeurons([{ layer: 0, neuron: 3, bias: -1 }]) }));
  const corpus = await wait(b.handle('corpus.import', { source: { kind: 'brown' } }));
  const cap = await wait(b.handle('capture.start', { modelId: (model.result as { model: { id: number } }).model.id, corpusId: (corpus.result as { corpus: { id: number } }).corpus.id, seqLen: 64, maxTokens: 1000, samples: 0 }));
  datasetId = (cap.result as { dataset: { id: number } }).dataset.id;
}, 300_000);
afterAll(() => b.close());

describe('neurons.list for the table', () => {
  it('filters by numeric ranges, each bound inclusive, and all ranges together', async () => {
    const all = await list({});
    const rates = all.neurons.map((n) => n.fire_rate!);
    const lo = [...rates].sort((x, y) => x - y)[Math.floor(rates.length / 4)]!;
    const hi = [...rates].sort((x, y) => x - y)[Math.floor((3 * rates.length) / 4)]!;
    const expected = all.neurons.filter((n) => n.fire_rate! >= lo && n.fire_rate! <= hi);
    const got = await list({ ranges: [{ field: 'fire_rate', min: lo, max: hi }] });
    expect(got.total).toBe(expected.length);
    expect(got.neurons.map((n) => `${n.layer}:${n.neuron}`)).toEqual(expected.map((n) => `${n.layer}:${n.neuron}`));
    const both = await list({ ranges: [{ field: 'fire_rate', min: lo }, { field: 'mean', max: 0.05 }] });
    expect(both.neurons.map((n) => `${n.layer}:${n.neuron}`)).toEqual(all.neurons.filter((n) => n.fire_rate! >= lo && n.mean! <= 0.05).map((n) => `${n.layer}:${n.neuron}`));
    // the dead neuron 0:3 never fires: only it and others with rate 0 stay under max 0
    expect((await list({ ranges: [{ field: 'fire_rate', max: 0 }] })).neurons.map((n) => `${n.layer}:${n.neuron}`)).toContain('0:3');
  });

  it('pages with offset: consecutive pages are the full sorted list, total counts every match', async () => {
    const all = await list({ sort: 'mean', descending: false });
    const size = Math.ceil(all.total / 3);
    const pages: NeuronRow[] = [];
    for (let offset = 0; offset < all.total; offset += size) {
      const page = await list({ sort: 'mean', descending: false, offset, limit: size });
      expect(page.total).toBe(all.total);
      pages.push(...page.neurons);
    }
    expect(pages.map((n) => `${n.layer}:${n.neuron}`)).toEqual(all.neurons.map((n) => `${n.layer}:${n.neuron}`));
    expect((await list({ offset: all.total + 5, limit: 10 })).neurons).toEqual([]);
  });

  it('says what is wrong with a bad query in words', async () => {
    await expect(list({ ranges: [{ field: 'loudness', min: 1 }] })).rejects.toThrow(/^Ranges item 1 field must be one of "tokens", "mean"/);
    await expect(list({ offset: -1 })).rejects.toThrow('Offset must be at least 0');
  });
});
