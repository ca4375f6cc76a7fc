// A model's tokenizer status is on its summary (the Models page shows it), and a job that reads a
// corpus is refused when the request arrives, naming what is missing, not later in its worker.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, Model } from './api.js';
import type { Backend } from './backend.js';
import { fixtureWithCharTokenizer, testBackend } from './jobs/test-support.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'fixtures');
let b: Backend;
let bare: number;
let withTokenizer: number;

const imported = async (dir: string, name: string) => {
  const { job } = (await b.handle('model.import', { path: dir, name })) as { job: Job };
  return ((await b.jobs.waitFor(job.id)).result as { model: { id: number } }).model.id;
};

beforeAll(async () => {
  b = testBackend();
  bare = await imported(path.join(fixtures, 'gpt2'), 'no-tokenizer');
  withTokenizer = await imported(fixtureWithCharTokenizer(path.join(fixtures, 'gpt2')), 'char');
}, 300_000);
afterAll(() => b.close());

describe('tokenizer status and checks', () => {
  it('says where each model\'s tokenizer comes from, or that it has none', async () => {
    const list = (await b.handle('model.list', {})) as Model[];
    expect(list.find((m) => m.id === bare)?.tokenizer).toBeNull();
    expect(list.find((m) => m.id === withTokenizer)?.tokenizer).toBe('tokenizer.json');
  });

  it('refuses a capture or an evaluation of a model without a tokenizer before any job starts', async () => {
    const jobsBefore = b.jobs.list().length;
    await expect(b.handle('capture.start', { modelId: bare, corpusId: 1 })).rejects.toThrow(/model "no-tokenizer" has no tokenizer \(tokenizer\.json in its folder.*a capture needs one/);
    await expect(b.handle('ablation.evaluate', { modelId: bare, corpusId: 1 })).rejects.toThrow(/an evaluation needs one/);
    expect(b.jobs.list().length).toBe(jobsBefore);
  });
});
